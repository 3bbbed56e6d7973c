"""Models the benchmark scenarios share: a book table every peer library reads the same way."""

from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=200, db_index=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    pages = models.IntegerField()
    published = models.DateField()
    in_stock = models.BooleanField(default=True)
    rating = models.FloatField(default=0)
    isbn = models.CharField(max_length=20)
    language = models.CharField(max_length=10, default="en")
    created = models.DateTimeField(auto_now_add=True)
