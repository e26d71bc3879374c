using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Kalshi.Wire;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Polymarket.Trading;
using Xunit.Abstractions;

namespace ArbBot.Tests.Faults;

/// <summary>
/// Every venue parser fed random bytes and mutations of the real sample payloads in Fixtures/kalshi and
/// Fixtures/polymarket (bit flips, truncations, inserted and cut bytes, type swaps, huge and negative numbers, NaN,
/// deep nesting, unicode digits and control characters, missing and duplicated fields), with fixed seeds so a failure
/// replays. Expected for every case: no exception escapes (a parser answers with a failure result, or the documented
/// invalid-body error its client turns into a failed call); whatever parses has every price in [0, 1] on the 0.0001
/// grid and no negative size; no case takes longer than a generous hang guard. The slowest case goes into the report.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private const int CasesPerParser = 3000;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(5);

    public static TheoryData<string> Parsers => [.. Targets.Keys];

    [Theory]
    [MemberData(nameof(Parsers))]
    public async Task A_parser_fed_random_and_mutated_payloads_never_throws_and_never_yields_a_bad_price(string parser)
    {
        var (venue, parse) = Targets[parser];
        var seeds = Seeds(venue);
        Assert.NotEmpty(seeds);
        // Mutations of payloads this parser reads are the interesting ones: most cases start from those.
        var readable = seeds.Where(s => Readable(parse, s)).ToList();
        var escaped = new List<string>();
        var accepted = 0;
        var slowest = TimeSpan.Zero;
        using var fault = FaultReport.Begin("Fuzzed input (random bytes, mutated samples)", $"{venue}: {parser}");

        await Task.Run(() =>
        {
            // One seed per parser: the cases differ between parsers and replay exactly from run to run.
            var random = new Random(StableHash(parser));
            for (var i = 0; i < CasesPerParser; i++)
            {
                var input = FuzzMutator.Next(random, readable.Count > 0 && random.Next(4) != 0 ? readable : seeds);
                var started = Stopwatch.GetTimestamp();
                object? result;
                try
                {
                    result = parse(input);
                }
                catch (Exception e)
                {
                    escaped.Add($"case {i}: {e.GetType().Name}: {e.Message} ← {Preview(input)}");
                    continue;
                }
                finally
                {
                    var took = Stopwatch.GetElapsedTime(started);
                    if (took > slowest) slowest = took;
                    fault.Inject();
                }
                if (result is null) continue;
                accepted++;
                foreach (var problem in PriceChecker.Problems(result)) escaped.Add($"case {i}: {problem} ← {Preview(input)}");
            }
        }).WaitAsync(TimeSpan.FromMinutes(5));

        var notes = $"{readable.Count} readable seeds of {seeds.Count}; {escaped.Count} escaped or bad prices; {accepted} parsed, {CasesPerParser - accepted - escaped.Count} refused; slowest {slowest.TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture)} ms";
        output.WriteLine(notes);
        foreach (var e in escaped.Take(20)) output.WriteLine(e);
        Assert.Empty(escaped);
        Assert.True(slowest < HangGuard, $"a case took {slowest}");
        fault.Survived(notes, timed: false);
    }

    /// <summary>Each parser: its venue (which samples seed it) and a call that returns what parsed, or null for a refusal.</summary>
    private static readonly Dictionary<string, (string Venue, Func<byte[], object?> Parse)> Targets = new(StringComparer.Ordinal)
    {
        ["KalshiParser.ParseWebSocket"] = ("Kalshi", b => KalshiParser.ParseWebSocket(b) is { IsSuccess: true } r ? r.Value : null),
        ["KalshiParser.ParseRestOrderbook"] = ("Kalshi", b => KalshiParser.ParseRestOrderbook(b) is { IsSuccess: true } r ? r.Value : null),
        ["KalshiCatalogParser.ParseEventsPage"] = ("Kalshi", b => KalshiCatalogParser.ParseEventsPage(Text(b)) is { IsSuccess: true } r ? r.Value : null),
        ["KalshiCatalogParser.ParseSeries"] = ("Kalshi", b => KalshiCatalogParser.ParseSeries(Text(b)) is { IsSuccess: true } r ? r.Value : null),
        ["Kalshi trading: order"] = ("Kalshi", b => Kalshi(() => KalshiOrderGateway.Read<KalshiWireOrderEnvelope>(Text(b), "fuzz").Order is { } o ? KalshiTradingParser.Order(o, "fuzz") : null)),
        ["Kalshi trading: orders page"] = ("Kalshi", b => Kalshi(() => KalshiOrderGateway.Read<KalshiWireOrdersPage>(Text(b), "fuzz").Orders?.Select(o => KalshiTradingParser.Order(o, "fuzz")).ToList())),
        ["Kalshi trading: fills page"] = ("Kalshi", b => Kalshi(() => KalshiOrderGateway.Read<KalshiWireFillsPage>(Text(b), "fuzz").Fills?.Select(f => KalshiTradingParser.Fill(f, "fuzz")).ToList())),
        ["Kalshi trading: positions page"] = ("Kalshi", b => Kalshi(() => KalshiOrderGateway.Read<KalshiWirePositionsPage>(Text(b), "fuzz").MarketPositions?.Select(p => KalshiTradingParser.Position(p, "fuzz")).ToList())),
        ["Kalshi trading: balance"] = ("Kalshi", b => Kalshi(() => KalshiTradingParser.Balance(KalshiOrderGateway.Read<KalshiWireBalance>(Text(b), "fuzz"), "fuzz"))),
        ["PolymarketParser.Parse"] = ("Polymarket", b => PolymarketParser.Parse(b) is { IsSuccess: true } r ? r.Messages : null),
        ["PolymarketParser.ParseRestBook"] = ("Polymarket", b => PolymarketParser.ParseRestBook(Text(b)) is { IsSuccess: true } r ? r.Messages : null),
        ["PolymarketParser.ParseRestBooks"] = ("Polymarket", b => PolymarketParser.ParseRestBooks(Text(b)) is { IsSuccess: true } r ? r.Messages : null),
        ["PolymarketCatalogParser.ParseEventsPage"] = ("Polymarket", b => PolymarketCatalogParser.ParseEventsPage(Text(b)) is { IsSuccess: true } r ? r.Value : null),
        ["PolymarketCatalogParser.ParseMarketsPage"] = ("Polymarket", b => PolymarketCatalogParser.ParseMarketsPage(Text(b)) is { IsSuccess: true } r ? r.Value : null),
        ["PolymarketCatalogParser.ParseClobMarket"] = ("Polymarket", b => PolymarketCatalogParser.ParseClobMarket(Text(b)) is { IsSuccess: true } r ? r.Value : null),
        ["Polymarket user channel (order, trade → fill terms)"] = ("Polymarket", UserChannel),
        ["Polymarket trading: order response"] = ("Polymarket", b => Polymarket(() => PolymarketClobTradingClient.Read<PolymarketOrderResponse>(Text(b), "POST", "/order"))),
        ["Polymarket trading: trades page → fill terms"] = ("Polymarket", b => Polymarket(() => PolymarketClobTradingClient.Read<PolymarketPage<PolymarketTrade>>(Text(b), "GET", "/data/trades").Data?.Select(FillTerms).ToList())),
        ["Polymarket trading: open order"] = ("Polymarket", b => Polymarket(() => PolymarketClobTradingClient.Read<PolymarketOpenOrder>(Text(b), "GET", "/data/order"))),
    };

    private static readonly PolymarketUserChannel Channel = new(new PolymarketTradingOptions(),
        new PolymarketApiCredentials("fuzz", new PolymarketSecret("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), new PolymarketSecret("p")), TimeProvider.System);

    private static object? UserChannel(byte[] input)
    {
        var sink = new CollectingSink();
        lock (Channel) Channel.Dispatch(input, sink);
        return sink.Events.Count == 0 ? null : sink.Events;
    }

    /// <summary>What the gateway would make of a trade's shares: the taker's and each maker's size and price.</summary>
    private static object FillTerms(PolymarketTrade trade) =>
        new List<(decimal, Price)?> { PolymarketOrderGateway.FillTerms(trade.Size, trade.Price) }
            .Concat((trade.MakerOrders ?? []).Where(m => m?.OrderId is not null).Select(m => PolymarketOrderGateway.FillTerms(m.MatchedAmount, m.Price)))
            .Where(t => t is not null).Select(t => (object)new FillShare(t!.Value.Item1, t.Value.Item2)).ToList();

    private static object? Kalshi(Func<object?> parse)
    {
        try
        {
            return parse();
        }
        catch (KalshiApiException)
        {
            return null; // The documented refusal: the gateway turns it into a failed call.
        }
    }

    private static object? Polymarket(Func<object?> parse)
    {
        try
        {
            return parse();
        }
        catch (ArbBot.Engine.Venues.Polymarket.Trading.PolymarketApiException)
        {
            return null;
        }
    }

    private static bool Readable(Func<byte[], object?> parse, byte[] seed)
    {
        try
        {
            return parse(seed) is not null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false; // Counted when the fuzz loop meets it; here it only decides where mutations start.
        }
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static string Preview(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        return text.Length <= 200 ? text : text[..200] + "…";
    }

    private static int StableHash(string text)
    {
        var hash = 17;
        foreach (var c in text) hash = unchecked((hash * 31) + c);
        return hash;
    }

    private static readonly Dictionary<string, IReadOnlyList<byte[]>> SeedCache = new(StringComparer.Ordinal);

    /// <summary>Every sample file of the venue, and every object and array inside it, as separate seeds.</summary>
    private static IReadOnlyList<byte[]> Seeds(string venue)
    {
        lock (SeedCache)
        {
            if (SeedCache.TryGetValue(venue, out var cached)) return cached;
            var folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", venue.ToLowerInvariant());
            var seeds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                var text = File.ReadAllText(file);
                seeds.Add(text);
                foreach (var node in FuzzMutator.Nodes(JsonNode.Parse(text)))
                {
                    if (node is JsonObject or JsonArray) seeds.Add(node.ToJsonString());
                }
            }
            var list = seeds.Order(StringComparer.Ordinal).Select(Encoding.UTF8.GetBytes).ToList();
            SeedCache[venue] = list;
            return list;
        }
    }

    private sealed record FillShare(decimal Size, Price Price);

    private sealed class CollectingSink : IPolymarketUserEventSink
    {
        public List<object> Events { get; } = [];

        public void OnConnected(int connection)
        {
        }

        public void OnDisconnected(string reason)
        {
        }

        public void OnOrder(PolymarketOpenOrder order) => Events.Add(order);

        public void OnTrade(PolymarketTrade trade) => Events.Add(FillTerms(trade));
    }
}

/// <summary>Walks a parsed result and names every price outside [0, 1] or off the 0.0001 grid and every negative size.</summary>
internal static class PriceChecker
{
    private static readonly HashSet<string> PriceNames = new(StringComparer.Ordinal) { "BestBid", "BestAsk", "Probability" };

    public static IEnumerable<string> Problems(object root)
    {
        var problems = new List<string>();
        Walk(root, "result", 0, problems, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return problems;
    }

    private static void Walk(object? value, string path, int depth, List<string> problems, HashSet<object> seen)
    {
        if (value is null || depth > 10) return;
        var type = value.GetType();
        if (value is Price p)
        {
            if (p.Units is < 0 or > Price.Scale) problems.Add($"{path} = {p} is outside [0, 1]");
            return;
        }
        if (type.IsPrimitive || value is string or decimal or DateTimeOffset or DateTime or TimeSpan or Enum or TickSize or InstrumentId) return;
        if (!type.IsValueType && !seen.Add(value)) return;
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items) Walk(item, $"{path}[{i++}]", depth + 1, problems, seen);
            return;
        }
        if (type.FullName?.StartsWith("System.ValueTuple", StringComparison.Ordinal) == true)
        {
            foreach (var f in type.GetFields()) Walk(f.GetValue(value), $"{path}.{f.Name}", depth + 1, problems, seen);
            return;
        }
        if (type.Namespace?.StartsWith("ArbBot", StringComparison.Ordinal) != true) return;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            var v = property.GetValue(value);
            var where = $"{path}.{property.Name}";
            if (v is decimal d)
            {
                if (property.Name.EndsWith("Price", StringComparison.Ordinal) || PriceNames.Contains(property.Name))
                {
                    if (!Price.TryFromDecimal(d, out _)) problems.Add($"{where} = {d} is outside [0, 1] or off the 0.0001 grid");
                }
                else if (property.Name is "Size" && (d < 0m || (d == 0m && value is ArbBot.Engine.MarketData.BookLevel)))
                {
                    problems.Add($"{where} = {d} is not a size a book level can have");
                }
                continue;
            }
            Walk(v, where, depth + 1, problems, seen);
        }
    }
}
