from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)
    born = models.IntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    price = models.DecimalField(max_digits=8, decimal_places=2)
    pages = models.PositiveIntegerField()
    published = models.DateField()
    in_stock = models.BooleanField(default=True)
    genre = models.CharField(max_length=30, default="fiction")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
