from rest_framework import serializers

from tests.core.views.app.models import Item, Note, Owned


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "integer_field", "string_field"]


class SlimItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "integer_field"]


class ReadItemSerializer(serializers.ModelSerializer):
    doubled = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = ["id", "integer_field", "string_field", "doubled"]

    def get_doubled(self, obj):
        return obj.integer_field * 2


class WriteItemSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(write_only=True, required=False)

    class Meta:
        model = Item
        fields = ["integer_field", "string_field", "secret"]

    def create(self, validated_data):
        validated_data.pop("secret", None)
        return super().create(validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("secret", None)
        return super().update(instance, validated_data)


class ValueSerializer(serializers.Serializer):
    value = serializers.IntegerField()


class NoteSerializer(serializers.ModelSerializer):
    item = ItemSerializer(read_only=True)

    class Meta:
        model = Note
        fields = ["id", "name", "item"]


class OwnedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Owned
        fields = ["id", "title", "owner"]
        read_only_fields = ["owner"]
