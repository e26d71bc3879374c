using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ArbBot.Engine.Venues.Kalshi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// A loopback Kalshi: REST (GET /series/{t}, GET /events with cursor paging, GET /markets/{t}/orderbook) and the
/// WebSocket (subscribe orderbook_delta → subscribed + snapshots, update_subscription get_snapshot, deltas the test
/// publishes), speaking the wire shapes of the payload files in Fixtures/kalshi. Every request and the handshake are
/// checked with <see cref="KalshiSignatureVerifier"/>, as Kalshi describes. It can answer 429, skip a seq and drop
/// its connections.
/// </summary>
public sealed partial class FakeKalshiServer : IAsyncDisposable
{
    public const string KeyId = "fake-kalshi-key";

    private readonly WebApplication _app;
    private readonly RSA _key = RSA.Create(2048);
    private readonly KalshiSignatureVerifier _verifier;
    private readonly JsonObject _catalog;
    private readonly ConcurrentDictionary<string, FakeBook> _books = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Connection, byte> _connections = new();
    private long _requests;
    private long _rateLimited;
    private long _rejected;
    private long _nextSid;
    private int _skipNextSeq;
    private int _truncateNext;

    private FakeKalshiServer(WebApplication app, JsonObject catalog)
    {
        _app = app;
        _catalog = catalog;
        _verifier = new KalshiSignatureVerifier(KeyId, _key.ExportSubjectPublicKeyInfoPem(), TimeProvider.System);
        foreach (var market in catalog["events"]!.AsArray().SelectMany(e => e!["markets"]?.AsArray() ?? []))
        {
            // Deci-cent structures quote on 0.001 at least somewhere; this fake accepts 0.001 everywhere on them.
            _ticks[(string)market!["ticker"]!] = (string?)market["price_level_structure"] is "deci_cent" or "tapered_deci_cent" ? 0.001m : 0.01m;
        }
        foreach (var (ticker, book) in catalog["books"]!.AsObject())
        {
            _books[ticker] = new FakeBook(Levels(book!["yes_dollars"]!), Levels(book["no_dollars"]!));
        }
    }

    /// <summary>The private key clients must sign with (PKCS#1 PEM).</summary>
    public string PrivateKeyPem => _key.ExportRSAPrivateKeyPem();

    public Uri RestBaseUrl { get; private set; } = null!;

    public Uri WebSocketUrl { get; private set; } = null!;

    /// <summary>Events per page of GET /events (small, so paging is exercised); the client's limit is honoured if smaller.</summary>
    public int EventsPageSize { get; set; } = 1;

    /// <summary>
    /// Scripted REST faults, taken one per request in order: a status code (429 with <see cref="ScriptedFault.RetryAfter"/>,
    /// 5xx…) answered instead of the real answer, or a delay before the real answer.
    /// </summary>
    public ConcurrentQueue<ScriptedFault> RestFaults { get; } = new();

    /// <summary>When each REST request arrived (UTC), in order.</summary>
    public ConcurrentQueue<(DateTime At, string Path, int Status)> RestLog { get; } = new();

    /// <summary>Every Nth REST request is answered 429 with Retry-After: 0 (0 = never).</summary>
    public int RateLimitEvery { get; set; }

    public long Requests => Interlocked.Read(ref _requests);

    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Requests and handshakes refused for a bad or missing signature.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>WebSocket connections accepted so far.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    private long _connectionsAccepted;

    private long _snapshotRequests;

    /// <summary>Snapshots sent in answer to get_snapshot.</summary>
    public long SnapshotRequests => Interlocked.Read(ref _snapshotRequests);

    /// <summary>Starts the fake on a free loopback port with the catalog and books of <paramref name="catalogFile"/> (in Fixtures/kalshi).</summary>
    public static async Task<FakeKalshiServer> StartAsync(string catalogFile = "fake-kalshi-catalog.json")
    {
        var catalog = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "kalshi", catalogFile)))!.AsObject();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeKalshiServer(app, catalog);
        app.UseWebSockets();
        app.Use(server.AuthenticateAsync);
        app.MapGet("/trade-api/v2/series/{ticker}", server.Series);
        app.MapGet("/trade-api/v2/events", server.Events);
        app.MapGet("/trade-api/v2/markets/{ticker}/orderbook", server.Orderbook);
        server.MapTrading(app);
        app.Map("/trade-api/ws/v2", server.WebSocketAsync);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        server.RestBaseUrl = new Uri(address, "/trade-api/v2");
        server.WebSocketUrl = new UriBuilder(address) { Scheme = "ws", Path = "/trade-api/ws/v2" }.Uri;
        return server;
    }

    /// <summary>Client options pointing at this server, signed with its key.</summary>
    public KalshiOptions ClientOptions() => new()
    {
        KeyId = KeyId,
        PrivateKeyPem = PrivateKeyPem,
        RestBaseUrl = RestBaseUrl,
        WebSocketUrl = WebSocketUrl,
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        HeartbeatInterval = TimeSpan.FromMilliseconds(200),
        ReadsPerSecond = 200,
    };

    /// <summary>The server's current book: YES bids and NO bids, best first.</summary>
    public (IReadOnlyList<(decimal Price, decimal Size)> Yes, IReadOnlyList<(decimal Price, decimal Size)> No) Book(string ticker)
    {
        var book = _books[ticker];
        lock (book) return (book.Yes.OrderByDescending(l => l.Key).Select(l => (l.Key, l.Value)).ToList(), book.No.OrderByDescending(l => l.Key).Select(l => (l.Key, l.Value)).ToList());
    }

    /// <summary>The next delta sent skips one seq number, as a lost message would.</summary>
    public void SkipNextSeq() => Interlocked.Exchange(ref _skipNextSeq, 1);

    /// <summary>The next delta sent is cut in half (truncated JSON), though the book here changes: a lost message the client must notice.</summary>
    public void TruncateNextDelta() => Interlocked.Exchange(ref _truncateNext, 1);

    /// <summary>Sends a raw text frame (malformed JSON, unknown message types…) on every connection.</summary>
    public async Task SendRawAsync(string text)
    {
        foreach (var c in _connections.Keys) await c.SendTextAsync(text);
    }

    /// <summary>
    /// Sends again, on every connection, the delta sent <paramref name="back"/> deltas ago (0: the last one, a duplicate;
    /// 1: the one before, out of order). The book here does not change: a client that applies it again is wrong.
    /// </summary>
    public async Task ResendDeltaAsync(int back)
    {
        foreach (var c in _connections.Keys)
        {
            string? text;
            lock (c.SentDeltas) text = c.SentDeltas.Count > back ? c.SentDeltas[^(back + 1)] : null;
            if (text is not null) await c.SendTextAsync(text);
        }
    }

    /// <summary>Drops every WebSocket connection without a close handshake.</summary>
    public void DropConnections()
    {
        foreach (var c in _connections.Keys) c.Socket.Abort();
    }

    /// <summary>Waits until <paramref name="count"/> connections have been accepted and the newest has subscribed.</summary>
    public async Task WaitForSubscribedConnectionAsync(long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!(ConnectionsAccepted >= count && _connections.Keys.Any(c => c.Number == count && !c.Subscriptions.IsEmpty)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No subscribed connection #{count} within {timeout}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Changes a YES or NO bid level by <paramref name="delta"/> and sends orderbook_delta to every subscriber.</summary>
    public async Task PublishDeltaAsync(string ticker, string side, decimal price, decimal delta, DateTimeOffset? timestamp = null)
    {
        var book = _books[ticker];
        lock (book)
        {
            var levels = side == "yes" ? book.Yes : book.No;
            var size = levels.GetValueOrDefault(price) + delta;
            if (size <= 0) levels.Remove(price);
            else levels[price] = size;
        }
        var ts = timestamp ?? DateTimeOffset.UtcNow;
        foreach (var c in _connections.Keys)
        {
            foreach (var (sid, tickers) in c.Subscriptions)
            {
                if (!tickers.Contains(ticker)) continue;
                var skip = Interlocked.Exchange(ref _skipNextSeq, 0) == 1;
                var seq = c.NextSeq(sid, skip ? 2 : 1);
                var message = new JsonObject
                {
                    ["type"] = "orderbook_delta",
                    ["sid"] = sid,
                    ["seq"] = seq,
                    ["msg"] = new JsonObject
                    {
                        ["market_ticker"] = ticker,
                        ["market_id"] = MarketId(ticker),
                        ["price_dollars"] = Dollars(price),
                        ["delta_fp"] = delta.ToString("0.00", CultureInfo.InvariantCulture),
                        ["side"] = side,
                        ["ts"] = ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                        ["ts_ms"] = ts.ToUnixTimeMilliseconds(),
                    },
                }.ToJsonString();
                lock (c.SentDeltas) c.SentDeltas.Add(message);
                await c.SendTextAsync(Interlocked.Exchange(ref _truncateNext, 0) == 1 ? message[..(message.Length / 2)] : message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        DropConnections();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _verifier.Dispose();
        _key.Dispose();
    }

    private async Task AuthenticateAsync(HttpContext context, RequestDelegate next)
    {
        var h = context.Request.Headers;
        var verdict = _verifier.Verify(context.Request.Method, context.Request.Path + context.Request.QueryString,
            h[KalshiRequestSigner.KeyHeader].FirstOrDefault(), h[KalshiRequestSigner.TimestampHeader].FirstOrDefault(), h[KalshiRequestSigner.SignatureHeader].FirstOrDefault());
        if (verdict != KalshiSignatureVerdict.Valid)
        {
            Interlocked.Increment(ref _rejected);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new { error = new { code = "authentication_error", message = $"signature check failed: {verdict}" } });
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest && RestFaults.TryDequeue(out var scripted))
        {
            Interlocked.Increment(ref _requests);
            if (scripted.Delay is { } delay) await Task.Delay(delay, context.RequestAborted);
            if (scripted.Status is { } status)
            {
                RestLog.Enqueue((DateTime.UtcNow, context.Request.Path, status));
                context.Response.StatusCode = status;
                if (scripted.RetryAfter is { } retryAfter) context.Response.Headers.RetryAfter = retryAfter;
                await context.Response.WriteAsJsonAsync(new { error = new { code = status == 429 ? "too_many_requests" : "internal_server_error", message = "scripted fault" } });
                return;
            }
            RestLog.Enqueue((DateTime.UtcNow, context.Request.Path, 200));
            await next(context);
            return;
        }
        if (!context.WebSockets.IsWebSocketRequest)
        {
            RestLog.Enqueue((DateTime.UtcNow, context.Request.Path, 0));
            var n = Interlocked.Increment(ref _requests);
            if (RateLimitEvery > 0 && n % RateLimitEvery == 0)
            {
                Interlocked.Increment(ref _rateLimited);
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "0";
                await context.Response.WriteAsJsonAsync(new { error = new { code = "too_many_requests", message = "too many requests" } });
                return;
            }
        }
        await next(context);
    }

    private IResult Series(string ticker)
    {
        var series = _catalog["series"]!.AsArray().FirstOrDefault(s => (string?)s!["ticker"] == ticker);
        return series is null
            ? Results.Json(new { error = new { code = "not_found", message = "series not found" } }, statusCode: 404)
            : Results.Text(new JsonObject { ["series"] = series.DeepClone() }.ToJsonString(), "application/json");
    }

    private IResult Events(HttpContext context)
    {
        var q = context.Request.Query;
        var all = _catalog["events"]!.AsArray()
            .Where(e => string.IsNullOrEmpty(q["series_ticker"]) || (string?)e!["series_ticker"] == q["series_ticker"])
            .ToList();
        var limit = int.TryParse(q["limit"], out var l) ? Math.Min(l, EventsPageSize) : EventsPageSize;
        var start = int.TryParse(q["cursor"], out var c) ? c : 0;
        var page = all.Skip(start).Take(limit).Select(e =>
        {
            var copy = e!.DeepClone().AsObject();
            if (q["with_nested_markets"] != "true") copy.Remove("markets");
            return (JsonNode)copy;
        }).ToArray();
        var next = start + limit < all.Count ? (start + limit).ToString(CultureInfo.InvariantCulture) : "";
        return Results.Text(new JsonObject { ["events"] = new JsonArray(page), ["cursor"] = next }.ToJsonString(), "application/json");
    }

    private IResult Orderbook(string ticker)
    {
        if (!_books.ContainsKey(ticker)) return Results.Json(new { error = new { code = "not_found", message = "market not found" } }, statusCode: 404);
        var (yes, no) = Book(ticker);
        // Kalshi documents "best to worst" but its examples ascend; this fake sends ascending, clients must sort.
        return Results.Text(new JsonObject
        {
            ["orderbook_fp"] = new JsonObject { ["yes_dollars"] = LevelsJson(yes.Reverse()), ["no_dollars"] = LevelsJson(no.Reverse()) },
        }.ToJsonString(), "application/json");
    }

    private async Task WebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        if (RefuseWebSockets)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(socket, Interlocked.Increment(ref _connectionsAccepted));
        _connections[connection] = 0;
        try
        {
            var buffer = new byte[64 * 1024];
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close) break;
                var command = JsonNode.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count))!.AsObject();
                await HandleCommandAsync(connection, command);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Dropped by the test or the client.
        }
        finally
        {
            _connections.TryRemove(connection, out _);
        }
    }

    private async Task HandleCommandAsync(Connection c, JsonObject command)
    {
        var id = (long)command["id"]!;
        var p = command["params"]?.AsObject();
        var action = p?["action"]?.GetValue<string>();
        switch ((string?)command["cmd"])
        {
            case "subscribe":
                var tickers = p?["market_tickers"]?.AsArray().Select(t => (string)t!).ToList() ?? [];
                foreach (var channel in p?["channels"]?.AsArray().Select(ch => (string)ch!) ?? ["orderbook_delta"])
                {
                    var sid = Interlocked.Increment(ref _nextSid);
                    await c.SendAsync(new JsonObject { ["id"] = id, ["type"] = "subscribed", ["msg"] = new JsonObject { ["channel"] = channel, ["sid"] = sid } });
                    if (channel == "orderbook_delta")
                    {
                        foreach (var t in tickers) await SendSnapshotAsync(c, sid, t);
                        c.Subscriptions[sid] = tickers;
                    }
                    else
                    {
                        c.Channels[sid] = (channel, tickers);
                    }
                    _channelSubscriptions.AddOrUpdate(channel, 1, (_, n) => n + 1);
                }
                break;
            case "update_subscription" when action == "get_snapshot":
                var target = (long)p!["sids"]![0]!;
                var wanted = p["market_tickers"]!.AsArray().Select(t => (string)t!).ToList();
                await c.SendAsync(new JsonObject { ["id"] = id, ["sid"] = target, ["seq"] = c.CurrentSeq(target), ["type"] = "ok", ["msg"] = new JsonObject { ["market_tickers"] = new JsonArray([.. wanted.Select(t => (JsonNode)t)]) } });
                Interlocked.Increment(ref _snapshotRequests);
                foreach (var t in wanted) await SendSnapshotAsync(c, target, t);
                break;
            default:
                await c.SendAsync(new JsonObject { ["id"] = id, ["type"] = "error", ["msg"] = new JsonObject { ["code"] = 5, ["msg"] = "Unknown command" } });
                break;
        }
    }

    private async Task SendSnapshotAsync(Connection c, long sid, string ticker)
    {
        if (!_books.ContainsKey(ticker))
        {
            await c.SendAsync(new JsonObject { ["type"] = "error", ["msg"] = new JsonObject { ["code"] = 16, ["msg"] = "Market not found", ["market_ticker"] = ticker } });
            return;
        }
        var (yes, no) = Book(ticker);
        var msg = new JsonObject { ["market_ticker"] = ticker, ["market_id"] = MarketId(ticker) };
        // Kalshi leaves out an empty side.
        if (yes.Count > 0) msg["yes_dollars_fp"] = LevelsJson(yes.Reverse());
        if (no.Count > 0) msg["no_dollars_fp"] = LevelsJson(no.Reverse());
        await c.SendAsync(new JsonObject { ["type"] = "orderbook_snapshot", ["sid"] = sid, ["seq"] = c.NextSeq(sid, 1), ["msg"] = msg });
    }

    private static JsonArray LevelsJson(IEnumerable<(decimal Price, decimal Size)> levels) =>
        new([.. levels.Select(l => (JsonNode)new JsonArray(Dollars(l.Price), l.Size.ToString("0.00", CultureInfo.InvariantCulture)))]);

    private static Dictionary<decimal, decimal> Levels(JsonNode node) =>
        node.AsArray().ToDictionary(l => decimal.Parse((string)l![0]!, CultureInfo.InvariantCulture), l => decimal.Parse((string)l![1]!, CultureInfo.InvariantCulture));

    private static string Dollars(decimal price) => price.ToString("0.0000", CultureInfo.InvariantCulture);

    private static string MarketId(string ticker) => new Guid(MD5.HashData(Encoding.UTF8.GetBytes(ticker))).ToString();

    /// <summary>One scripted REST fault: answer <paramref name="Status"/> (with Retry-After), or wait <paramref name="Delay"/> first.</summary>
    public sealed record ScriptedFault(int? Status = null, string? RetryAfter = null, TimeSpan? Delay = null);

    internal sealed record FakeBook(Dictionary<decimal, decimal> Yes, Dictionary<decimal, decimal> No);

    internal sealed class Connection(WebSocket socket, long number)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        private readonly ConcurrentDictionary<long, long> _seq = new();

        public WebSocket Socket { get; } = socket;

        public long Number { get; } = number;

        public ConcurrentDictionary<long, List<string>> Subscriptions { get; } = new();

        /// <summary>Subscriptions to other channels (fill, user_orders, ticker, trade, market_lifecycle_v2) with their tickers (empty: all).</summary>
        public ConcurrentDictionary<long, (string Channel, List<string> Tickers)> Channels { get; } = new();

        public long NextSeq(long sid, int step) => _seq.AddOrUpdate(sid, step, (_, s) => s + step);

        public long CurrentSeq(long sid) => _seq.GetValueOrDefault(sid);

        /// <summary>The deltas sent on this connection, oldest first (whole, as the book moved).</summary>
        public List<string> SentDeltas { get; } = [];

        public Task SendAsync(JsonObject message) => SendTextAsync(message.ToJsonString());

        public async Task SendTextAsync(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            await _send.WaitAsync();
            try
            {
                if (Socket.State == WebSocketState.Open) await Socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException)
            {
                // The connection was dropped.
            }
            finally
            {
                _send.Release();
            }
        }
    }
}
