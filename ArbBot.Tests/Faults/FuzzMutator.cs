using System.Text;
using System.Text.Json.Nodes;

namespace ArbBot.Tests.Faults;

/// <summary>Makes fuzz inputs from seed payloads: byte-level damage and JSON-aware replacements, all from one <see cref="Random"/>.</summary>
internal static class FuzzMutator
{
    private const string RawMarker = "__FUZZ_RAW__";

    /// <summary>Values that break parsers: huge, negative, NaN, wrong types, unicode digits, deep nesting, long text.</summary>
    private static readonly string[] Interesting =
    [
        "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "-0", "0", "1", "-1", "2", "1.0001", "-0.5", "0.00005", "0.123456789",
        "79228162514264337593543950336", "-79228162514264337593543950336", "9223372036854775808", "-9223372036854775809",
        "\"NaN\"", "\"-0.5\"", "\"1e400\"", "\"1.5\"", "\"0.00005\"", "\"79228162514264337593543950336\"", "\"-1\"", "\"2\"",
        "\"\"", "\" \"", "\"0x10\"", "\"1,5\"", "\"\u0661.\u0665\"", "\"\uFF10.\uFF15\"", "\"\u202E0.5\"", "\"💥\"", "\"\\u0000\"",
        "null", "true", "false", "[]", "{}", "[null]", "{\"\":null}", "\"yes\"", "\"no\"", "\"buy\"", "\"SELL\"",
        "\"orderbook_delta\"", "\"orderbook_snapshot\"", "\"book\"", "\"price_change\"", "\"trade\"", "\"order\"",
    ];

    public static byte[] Next(Random random, IReadOnlyList<byte[]> seeds)
    {
        var roll = random.Next(20);
        if (roll == 0) return RandomBytes(random, random.Next(0, 512));
        if (roll == 1) return Deep(random);
        var input = seeds[random.Next(seeds.Count)];
        if (roll == 2) return input;
        var rounds = 1 + random.Next(3);
        for (var i = 0; i < rounds; i++) input = Mutate(random, input);
        return input;
    }

    private static byte[] Mutate(Random random, byte[] input)
    {
        switch (random.Next(10))
        {
            case 0: // bit flips
                {
                    var copy = (byte[])input.Clone();
                    var flips = 1 + random.Next(8);
                    for (var i = 0; i < flips && copy.Length > 0; i++) copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                    return copy;
                }
            case 1: // truncation
                return input.Length == 0 ? input : input[..random.Next(input.Length)];
            case 2: // inserted bytes
                {
                    var at = random.Next(input.Length + 1);
                    return [.. input[..at], .. RandomBytes(random, 1 + random.Next(16)), .. input[at..]];
                }
            case 3: // a range cut out or repeated
                {
                    if (input.Length < 2) return input;
                    var from = random.Next(input.Length);
                    var to = Math.Min(input.Length, from + 1 + random.Next(64));
                    return random.Next(2) == 0 ? [.. input[..from], .. input[to..]] : [.. input[..to], .. input[from..to], .. input[to..]];
                }
            default:
                try
                {
                    return MutateTree(random, input) ?? input;
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                {
                    // Earlier damage left invalid UTF-8 or a repeated key: the tree cannot be read, the bytes stay as they are.
                    return input;
                }
        }
    }

    /// <summary>Replaces one value of the JSON tree (or drops a field); null when the input is not JSON.</summary>
    private static byte[]? MutateTree(Random random, byte[] input)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(input);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
        if (root is null) return null;
        var nodes = Nodes(root).Where(n => n.Parent is not null).ToList();
        if (nodes.Count == 0) return null;
        var target = nodes[random.Next(nodes.Count)];
        string? raw;
        switch (random.Next(4))
        {
            case 0: // type swap: a string holding a number becomes the number, a number becomes a string, anything else a wrong type
                raw = target is JsonValue v && v.TryGetValue<string>(out var s) ? (decimal.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "12345")
                    : target is JsonValue ? "\"" + target.ToJsonString().Replace("\"", "", StringComparison.Ordinal) + "\""
                    : random.Next(2) == 0 ? "\"text\"" : "3";
                break;
            case 1 when target.Parent is JsonObject parent: // a field dropped
                parent.Remove(target.GetPropertyName());
                return Encoding.UTF8.GetBytes(root.ToJsonString());
            case 2:
                raw = random.Next(4) == 0 ? DeepText(random) : random.Next(6) == 0 ? "\"" + new string('9', 10_000 + random.Next(50_000)) + "\"" : Interesting[random.Next(Interesting.Length)];
                break;
            default:
                raw = Interesting[random.Next(Interesting.Length)];
                break;
        }
        Replace(target, JsonValue.Create(RawMarker));
        return Encoding.UTF8.GetBytes(root.ToJsonString().Replace("\"" + RawMarker + "\"", raw, StringComparison.Ordinal));
    }

    private static void Replace(JsonNode target, JsonNode replacement)
    {
        switch (target.Parent)
        {
            case JsonObject o:
                o[target.GetPropertyName()] = replacement;
                break;
            case JsonArray a:
                a[target.GetElementIndex()] = replacement;
                break;
        }
    }

    /// <summary>Every node of the tree, the root first.</summary>
    public static IEnumerable<JsonNode> Nodes(JsonNode? root)
    {
        if (root is null) yield break;
        var stack = new Stack<JsonNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            IEnumerable<JsonNode?> children = node switch
            {
                JsonObject o => o.Select(p => p.Value),
                JsonArray a => a,
                _ => [],
            };
            foreach (var child in children)
            {
                if (child is not null) stack.Push(child);
            }
        }
    }

    private static byte[] Deep(Random random) => Encoding.UTF8.GetBytes(DeepText(random));

    private static string DeepText(Random random)
    {
        var depth = 50 + random.Next(5000);
        return random.Next(2) == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
