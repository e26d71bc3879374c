using System.Text.Json;
using System.Text.Json.Serialization;

namespace ArbBot.Engine.Core;

/// <summary>Writes a <see cref="Price"/> as its decimal value (0.45) and reads it back, refusing values off the 0.0001 grid.</summary>
public sealed class PriceJsonConverter : JsonConverter<Price>
{
    public override Price Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Price.TryFromDecimal(reader.GetDecimal(), out var price) ? price : throw new JsonException("A price must lie in [0, 1] on a 0.0001 grid.");

    public override void Write(Utf8JsonWriter writer, Price value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

/// <summary>Writes a <see cref="TickSize"/> as its decimal value (0.01).</summary>
public sealed class TickSizeJsonConverter : JsonConverter<TickSize>
{
    public override TickSize Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        TickSize.TryFromDecimal(reader.GetDecimal(), out var tick) ? tick : throw new JsonException("A tick size must be positive, at most 0.1 and divide 1.");

    public override void Write(Utf8JsonWriter writer, TickSize value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

/// <summary>Writes an <see cref="InstrumentId"/> as its number.</summary>
public sealed class InstrumentIdJsonConverter : JsonConverter<InstrumentId>
{
    public override InstrumentId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetInt32());

    public override void Write(Utf8JsonWriter writer, InstrumentId value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}
