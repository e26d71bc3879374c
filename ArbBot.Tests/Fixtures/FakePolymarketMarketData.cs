using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ArbBot.Engine.Venues.Polymarket;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// Polymarket's public market-data endpoints as route mappings on any Kestrel <see cref="WebApplication"/>, so one
/// loopback server can host them beside other fake endpoints (e.g. the trading ones): Gamma under <c>/gamma</c>
/// (GET /events with offset paging and slug/tag filters, GET /markets by slug — with <c>outcomes</c>,
/// <c>outcomePrices</c> and <c>clobTokenIds</c> encoded as JSON strings, as Gamma does), the CLOB's REST at the root
/// (GET /book, POST /books, GET /clob-markets/{condition id} in its compact shape) and the market channel at
/// <c>/ws/market</c> (subscribe → initial books, text PING → PONG, unsubscribe). What it serves and the faults it
/// injects live in <see cref="FakePolymarketState"/>.
/// </summary>
public static class FakePolymarketMarketData
{
    /// <summary>Maps the endpoints. The host must call <c>app.UseWebSockets()</c> before.</summary>
    public static void Map(IEndpointRouteBuilder app, FakePolymarketState state)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(state);
        app.MapGet("/gamma/events", (HttpContext c) => Limited(state, () => Events(state, c.Request.Query)));
        app.MapGet("/gamma/markets", (HttpContext c) => Limited(state, () => MarketsBySlug(state, c.Request.Query)));
        app.MapGet("/clob-markets/{conditionId}", (string conditionId) => Limited(state, () => ClobMarket(state, conditionId)));
        app.MapGet("/book", (HttpContext c) => Limited(state, () => Book(state, c.Request.Query["token_id"].ToString())));
        app.MapPost("/books", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            var body = await reader.ReadToEndAsync();
            return Limited(state, () => Books(state, body));
        });
        app.Map("/ws/market", (HttpContext c) => MarketChannelAsync(state, c));
    }

    /// <summary>Client options pointing at a server hosting these endpoints at <paramref name="baseUrl"/>, with test-speed timings.</summary>
    public static PolymarketOptions ClientOptions(Uri baseUrl) => new()
    {
        GammaUrl = new Uri(baseUrl, "/gamma"),
        ClobUrl = baseUrl,
        MarketWebSocketUrl = new UriBuilder(baseUrl) { Scheme = "ws", Path = "/ws/market" }.Uri,
        PageSize = 2,
        RequestsPerSecond = 500,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        PingInterval = TimeSpan.FromMilliseconds(200),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        FreezeTimeout = TimeSpan.FromSeconds(1),
    };

    private static IResult Limited(FakePolymarketState state, Func<IResult> answer)
    {
        if (!state.CountRestRequest())
        {
            return Results.Text("{\"error\":\"too many requests\"}", "application/json", statusCode: StatusCodes.Status429TooManyRequests);
        }
        return answer();
    }

    private static IResult Events(FakePolymarketState state, IQueryCollection q)
    {
        state.CountEventPagesServed();
        var events = state.Events.AsEnumerable();
        if (q["slug"].Count > 0) events = events.Where(e => q["slug"].Contains(e.Slug));
        if (q["tag_id"].Count > 0) events = events.Where(e => q["tag_id"].Contains(TagId(e.Tag)));
        // Gamma's closed=false hides events whose every market closed.
        if (q["closed"] == "false") events = events.Where(e => e.Markets.Any(m => !m.Closed));
        var limit = int.TryParse(q["limit"], out var l) ? Math.Min(l, state.GammaPageSize) : state.GammaPageSize;
        var offset = int.TryParse(q["offset"], out var o) ? o : 0;
        var page = events.Skip(offset).Take(limit).Select(e => (JsonNode)EventJson(e, withMarkets: true)).ToArray();
        return Json(new JsonArray(page));
    }

    private static IResult MarketsBySlug(FakePolymarketState state, IQueryCollection q)
    {
        var found = state.Events.SelectMany(e => e.Markets.Select(m => (e, m))).Where(x => q["slug"].Contains(x.m.Slug))
            .Select(x =>
            {
                var json = MarketJson(x.m, x.e);
                json["events"] = new JsonArray(EventJson(x.e, withMarkets: false));
                return (JsonNode)json;
            }).ToArray();
        return Json(new JsonArray(found));
    }

    private static IResult ClobMarket(FakePolymarketState state, string conditionId)
    {
        var market = state.Markets.FirstOrDefault(m => m.ConditionId == conditionId);
        if (market is null) return Results.Text("{\"error\":\"market not found\"}", "application/json", statusCode: 404);
        var json = new JsonObject
        {
            ["c"] = market.ConditionId,
            ["t"] = new JsonArray(
                new JsonObject { ["t"] = market.YesToken, ["o"] = market.Outcomes[0] },
                new JsonObject { ["t"] = market.NoToken, ["o"] = market.Outcomes[1] }),
            ["mts"] = market.TickSize,
            ["nr"] = market.NegRisk,
            ["mos"] = market.MinOrderSize,
            ["ao"] = market.AcceptingOrders,
            ["mbf"] = 0,
            ["tbf"] = 0,
        };
        if (market.FeeRate > 0m) json["fd"] = new JsonObject { ["r"] = market.FeeRate, ["e"] = market.FeeExponent, ["to"] = true };
        return Json(json);
    }

    private static IResult Book(FakePolymarketState state, string token)
    {
        state.CountBooksServed();
        return state.TryToken(token, out _, out _)
            ? Json(state.BookJson(token, withEventType: false))
            : Results.Text("{\"error\":\"No orderbook exists for the requested token id\"}", "application/json", statusCode: 404);
    }

    private static IResult Books(FakePolymarketState state, string body)
    {
        JsonArray request;
        try
        {
            request = JsonNode.Parse(body)!.AsArray();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            return Results.Text("{\"error\":\"invalid body\"}", "application/json", statusCode: 400);
        }
        var books = new JsonArray();
        foreach (var item in request)
        {
            var token = (string?)item?["token_id"];
            if (token is null || !state.TryToken(token, out _, out _)) continue;
            state.CountBooksServed();
            books.Add(state.BookJson(token, withEventType: false));
        }
        return Json(books);
    }

    private static async Task MarketChannelAsync(FakePolymarketState state, HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        if (state.RefuseConnections)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new FakePolymarketConnection(socket, state.CountAcceptedConnection());
        state.Add(connection);
        try
        {
            var buffer = new byte[256 * 1024];
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close) break;
                var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                if (text == "PING")
                {
                    // A frozen connection still answers: that is what makes a freeze hard to see.
                    await connection.SendAsync("PONG");
                    continue;
                }
                var command = JsonNode.Parse(text)!.AsObject();
                var tokens = command["assets_ids"]?.AsArray().Select(t => (string)t!).ToList() ?? [];
                if ((string?)command["operation"] == "unsubscribe")
                {
                    foreach (var t in tokens) connection.Tokens.TryRemove(t, out _);
                    continue;
                }
                foreach (var t in tokens) connection.Tokens[t] = 0;
                connection.MostTokens = Math.Max(connection.MostTokens, connection.Tokens.Count);
                // The initial dump: one book per known token, in one array frame.
                var dump = new JsonArray([.. tokens.Where(t => state.TryToken(t, out _, out _)).Select(t => (JsonNode)state.BookJson(t, withEventType: true))]);
                if (!connection.Frozen && state.InitialDump) await connection.SendAsync(dump.ToJsonString());
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Dropped by the test or the client.
        }
        finally
        {
            state.Remove(connection);
        }
    }

    private static JsonObject EventJson(FakePolymarketEvent e, bool withMarkets)
    {
        var json = new JsonObject
        {
            ["id"] = e.Id,
            ["ticker"] = e.Slug,
            ["slug"] = e.Slug,
            ["title"] = e.Title,
            ["active"] = true,
            ["closed"] = e.Markets.All(m => m.Closed),
            ["negRisk"] = e.NegRisk,
            ["enableNegRisk"] = e.NegRisk,
            ["negRiskAugmented"] = e.Augmented,
            ["tags"] = new JsonArray(new JsonObject { ["id"] = TagId(e.Tag), ["label"] = e.Tag, ["slug"] = e.Tag.ToLowerInvariant() }),
        };
        if (withMarkets) json["markets"] = new JsonArray([.. e.Markets.Select(m => (JsonNode)MarketJson(m, e))]);
        return json;
    }

    private static JsonObject MarketJson(FakePolymarketMarket m, FakePolymarketEvent e) => new()
    {
        ["id"] = m.Slug.GetHashCode(StringComparison.Ordinal).ToString(CultureInfo.InvariantCulture),
        ["question"] = m.Question,
        ["conditionId"] = m.ConditionId,
        ["slug"] = m.Slug,
        ["resolutionSource"] = m.ResolutionSource,
        ["endDate"] = m.EndDate,
        ["description"] = m.Description ?? $"This market will resolve to \"{m.Outcomes[0]}\" if {m.Question}",
        // Gamma sends these three as JSON text inside a string.
        ["outcomes"] = JsonSerializer.Serialize(m.Outcomes),
        ["outcomePrices"] = JsonSerializer.Serialize(new[] { "0.5", "0.5" }),
        ["clobTokenIds"] = JsonSerializer.Serialize(new[] { m.YesToken, m.NoToken }),
        ["active"] = m.Active,
        ["closed"] = m.Closed,
        ["acceptingOrders"] = m.AcceptingOrders,
        ["enableOrderBook"] = true,
        ["orderPriceMinTickSize"] = m.TickSize,
        ["orderMinSize"] = m.MinOrderSize,
        ["negRisk"] = m.NegRisk,
        ["negRiskOther"] = false,
        ["groupItemTitle"] = m.GroupItemTitle,
        ["feesEnabled"] = m.FeeRate > 0m,
        ["feeType"] = m.FeeRate > 0m ? "crypto_fees" : null,
        ["liquidity"] = "1000.5",
    };

    private static string TagId(string tag) => tag switch { "Politics" => "2", "Crypto" => "21", _ => "100" };

    private static IResult Json(JsonNode node) => Results.Text(node.ToJsonString(), "application/json");
}

/// <summary>A loopback server hosting only <see cref="FakePolymarketMarketData"/>, over the default catalog unless told otherwise.</summary>
public sealed class FakePolymarketServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakePolymarketServer(WebApplication app, FakePolymarketState state, Uri baseUrl)
    {
        _app = app;
        State = state;
        BaseUrl = baseUrl;
    }

    public FakePolymarketState State { get; }

    public Uri BaseUrl { get; }

    public static async Task<FakePolymarketServer> StartAsync(FakePolymarketState? state = null)
    {
        state ??= FakePolymarketCatalog.Create();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        state.RestFaults.Use(app);
        FakePolymarketMarketData.Map(app, state);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new FakePolymarketServer(app, state, address);
    }

    /// <summary>Client options pointing at this server.</summary>
    public PolymarketOptions ClientOptions() => FakePolymarketMarketData.ClientOptions(BaseUrl);

    public async ValueTask DisposeAsync()
    {
        State.DropConnections();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// The fake's default catalog: a plain binary (no fees), a crypto up/down market with V2 fees, a three-way neg-risk
/// event whose YES asks sum below $1, an augmented neg-risk event with an inactive placeholder, and a closed market.
/// </summary>
public static class FakePolymarketCatalog
{
    public const string Fed = "0xfed0000000000000000000000000000000000000000000000000000000000001";
    public const string FedClosed = "0xfed0000000000000000000000000000000000000000000000000000000000002";
    public const string Btc = "0xb7c0000000000000000000000000000000000000000000000000000000000001";
    public const string MayorAlice = "0xa11ce00000000000000000000000000000000000000000000000000000000001";
    public const string MayorBob = "0xb0b0000000000000000000000000000000000000000000000000000000000001";
    public const string MayorCarol = "0xca50100000000000000000000000000000000000000000000000000000000001";
    public const string NomineeA = "0xd0a0000000000000000000000000000000000000000000000000000000000001";
    public const string NomineeB = "0xd0b0000000000000000000000000000000000000000000000000000000000001";
    public const string NomineeOther = "0xd0c0000000000000000000000000000000000000000000000000000000000001";

    public static FakePolymarketState Create()
    {
        var fed = Binary(Fed, "fed-cut-december", "Will the Fed cut rates in December?", 1);
        var fedClosed = Binary(FedClosed, "fed-cut-november", "Did the Fed cut rates in November?", 2) with { Active = true, Closed = true, AcceptingOrders = false };
        var btc = new FakePolymarketMarket(Btc, "btc-updown-5m", "Bitcoin Up or Down - 5:20AM ET", Token(3, 0), Token(3, 1), ["Up", "Down"], FeeRate: 0.25m, FeeExponent: 2);
        var alice = NegRisk(MayorAlice, "mayor-alice", "Will Alice win the mayoral race?", "Alice", 4);
        var bob = NegRisk(MayorBob, "mayor-bob", "Will Bob win the mayoral race?", "Bob", 5);
        var carol = NegRisk(MayorCarol, "mayor-carol", "Will Carol win the mayoral race?", "Carol", 6);
        var nomA = NegRisk(NomineeA, "nominee-a", "Will Ann win the nomination?", "Ann", 7);
        var nomB = NegRisk(NomineeB, "nominee-b", "Will Ben win the nomination?", "Ben", 8);
        var nomOther = NegRisk(NomineeOther, "nominee-other", "Will another person win the nomination?", "Other", 9) with { Active = false, AcceptingOrders = false };
        var state = new FakePolymarketState(
        [
            new FakePolymarketEvent("101", "fed-decision-december", "Fed decision in December", "Politics", false, false, [fed, fedClosed]),
            new FakePolymarketEvent("102", "btc-updown-5m-1773307200", "Bitcoin Up or Down", "Crypto", false, false, [btc]),
            new FakePolymarketEvent("103", "city-mayor-2026", "City mayoral race 2026", "Politics", true, false, [alice, bob, carol]),
            new FakePolymarketEvent("104", "party-nominee-2028", "Party nominee 2028", "Politics", true, true, [nomA, nomB, nomOther]),
        ]);
        state.SetBook(Fed, [(0.40m, 100m), (0.39m, 250m)], [(0.42m, 80m), (0.43m, 300m)]);
        state.SetBook(FedClosed, [(0.01m, 10m)], [(0.99m, 10m)]);
        state.SetBook(Btc, [(0.50m, 500m), (0.49m, 100m)], [(0.51m, 400m), (0.52m, 100m)]);
        // The mayoral YES asks sum to 0.93: a complete set costs less than the $1 it pays.
        state.SetBook(MayorAlice, [(0.28m, 100m)], [(0.30m, 100m), (0.35m, 50m)]);
        state.SetBook(MayorBob, [(0.29m, 100m)], [(0.31m, 100m)]);
        state.SetBook(MayorCarol, [(0.30m, 100m)], [(0.32m, 100m)]);
        state.SetBook(NomineeA, [(0.44m, 60m)], [(0.46m, 60m)]);
        state.SetBook(NomineeB, [(0.40m, 60m)], [(0.42m, 60m)]);
        state.SetBook(NomineeOther, [], []);
        return state;
    }

    private static FakePolymarketMarket Binary(string condition, string slug, string question, int n) =>
        new(condition, slug, question, Token(n, 0), Token(n, 1), ["Yes", "No"]);

    private static FakePolymarketMarket NegRisk(string condition, string slug, string question, string label, int n) =>
        new(condition, slug, question, Token(n, 0), Token(n, 1), ["Yes", "No"], label, NegRisk: true);

    /// <summary>A 77-digit token id like Polymarket's (uint256 in decimal).</summary>
    public static string Token(int market, int outcome) =>
        $"{market:D2}{outcome}" + new string((char)('1' + ((market + outcome) % 9)), 74);
}
