using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ArbBot.Tests.Fixtures;

/// <summary>A market of the fake Polymarket: outcome 0's token is YES, outcome 1's is NO.</summary>
public sealed record FakePolymarketMarket(
    string ConditionId,
    string Slug,
    string Question,
    string YesToken,
    string NoToken,
    string[] Outcomes,
    string GroupItemTitle = "",
    bool Active = true,
    bool Closed = false,
    bool AcceptingOrders = true,
    decimal FeeRate = 0m,
    int FeeExponent = 2,
    decimal MinOrderSize = 5m,
    bool NegRisk = false,
    string? Description = null,
    string EndDate = "2027-01-01T00:00:00Z",
    string ResolutionSource = "https://example.invalid/source")
{
    /// <summary>The market's tick (changed by <see cref="FakePolymarketState.ChangeTickSizeAsync"/>).</summary>
    public decimal TickSize { get; set; } = 0.01m;
}

/// <summary>An event of the fake Polymarket.</summary>
public sealed record FakePolymarketEvent(string Id, string Slug, string Title, string Tag, bool NegRisk, bool Augmented, IReadOnlyList<FakePolymarketMarket> Markets);

/// <summary>
/// What the fake Polymarket serves and remembers: the catalog (Gamma events and markets, CLOB market terms), one YES
/// book per market (the NO token's book is its mirror, as on the real CLOB), the market-channel connections, and the
/// faults a test can inject — dropped connections, frozen connections (open, answering PING, silent), lost updates,
/// tick-size changes, ghost books and resolutions. Thread-safe; shared by the REST endpoints and the sockets.
/// </summary>
public sealed class FakePolymarketState
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FakeBook> _books = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (FakePolymarketMarket Market, bool IsYes)> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<FakePolymarketConnection, byte> _connections = new();
    private long _clockMs;
    private int _loseNext;
    private int _truncateNext;
    private long _restRequests;
    private long _rateLimited;

    public FakePolymarketState(IReadOnlyList<FakePolymarketEvent> events)
    {
        Events = events;
        foreach (var m in events.SelectMany(e => e.Markets))
        {
            _books[m.ConditionId] = new FakeBook();
            _tokens[m.YesToken] = (m, true);
            _tokens[m.NoToken] = (m, false);
        }
    }

    public IReadOnlyList<FakePolymarketEvent> Events { get; }

    public IEnumerable<FakePolymarketMarket> Markets => Events.SelectMany(e => e.Markets);

    /// <summary>Send price_change in the 2024 single-level format (no best bid/ask) instead of the batched one.</summary>
    public bool LegacyPriceChanges { get; set; }

    /// <summary>Send the books of newly subscribed tokens on the socket (the venue's initial dump); off, books come from REST only.</summary>
    public bool InitialDump { get; set; } = true;

    /// <summary>State a wrong best bid in every price_change (a venue whose stated tops mean something else).</summary>
    public bool MisstatedTops { get; set; }

    /// <summary>REST also serves 0.01/0.99 ghost books (so a ghost cannot be repaired from REST).</summary>
    public bool GhostRestBooks { get; set; }

    /// <summary>Scripted REST faults (429, 5xx, slow answers) for Gamma and the CLOB's REST endpoints.</summary>
    public FakePolymarketRestFaults RestFaults { get; } = new();

    /// <summary>While true, market-channel connections are refused (503) as a venue that is down would.</summary>
    public bool RefuseConnections { get; set; }

    /// <summary>Every Nth REST request is answered 429 with Retry-After: 0 (0 = never).</summary>
    public int RateLimitEvery { get; set; }

    /// <summary>The largest Gamma page served, whatever limit the client asks for (small, so paging is exercised).</summary>
    public int GammaPageSize { get; set; } = 2;

    public long RestRequests => Interlocked.Read(ref _restRequests);

    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Gamma GET /events requests answered.</summary>
    public long EventPagesServed => Interlocked.Read(ref _eventPagesServed);

    private long _eventPagesServed;

    internal void CountEventPagesServed(long count = 1) => Interlocked.Add(ref _eventPagesServed, count);

    /// <summary>Tokens asked for over REST (GET /book and POST /books).</summary>
    public long BooksServed => Interlocked.Read(ref _booksServed);

    private long _booksServed;

    internal void CountBooksServed(long count = 1) => Interlocked.Add(ref _booksServed, count);

    /// <summary>Market-channel connections accepted so far.</summary>
    /// <summary>Market connections accepted since start (counted atomically: shards connect at once, on several threads).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    private long _connectionsAccepted;

    internal long CountAcceptedConnection() => Interlocked.Increment(ref _connectionsAccepted);

    /// <summary>The open market-channel connections.</summary>
    public IReadOnlyCollection<FakePolymarketConnection> Connections => [.. _connections.Keys];

    public FakePolymarketMarket Market(string conditionId) => Markets.Single(m => m.ConditionId == conditionId);

    /// <summary>Sets a market's YES book (levels as price → size).</summary>
    public void SetBook(string conditionId, IEnumerable<(decimal Price, decimal Size)> bids, IEnumerable<(decimal Price, decimal Size)> asks)
    {
        lock (_gate)
        {
            var book = _books[conditionId];
            book.Bids.Clear();
            book.Asks.Clear();
            foreach (var (p, s) in bids) book.Bids[p] = s;
            foreach (var (p, s) in asks) book.Asks[p] = s;
            book.TimestampMs = NextTimestamp();
        }
    }

    /// <summary>A market's YES book, best first.</summary>
    public (IReadOnlyList<(decimal Price, decimal Size)> Bids, IReadOnlyList<(decimal Price, decimal Size)> Asks) YesBook(string conditionId)
    {
        lock (_gate)
        {
            var b = _books[conditionId];
            return ([.. b.Bids.OrderByDescending(l => l.Key).Select(l => (l.Key, l.Value))], [.. b.Asks.OrderBy(l => l.Key).Select(l => (l.Key, l.Value))]);
        }
    }

    /// <summary>The next book change reaches no subscriber, as a lost message would.</summary>
    public void LoseNextUpdate() => Interlocked.Exchange(ref _loseNext, 1);

    /// <summary>The next book change is applied here but reaches subscribers cut in half (truncated JSON).</summary>
    public void TruncateNextUpdate() => Interlocked.Exchange(ref _truncateNext, 1);

    /// <summary>Sends a raw text frame (malformed JSON, unknown event types…) to every open connection.</summary>
    public async Task SendRawAsync(string text)
    {
        foreach (var c in _connections.Keys) await c.SendAsync(text);
    }

    /// <summary>Drops every market-channel connection without a close handshake.</summary>
    public void DropConnections()
    {
        foreach (var c in _connections.Keys) c.Socket.Abort();
    }

    /// <summary>Freezes every open connection: it stays open and answers PING, but sends no more data.</summary>
    public void FreezeConnections()
    {
        foreach (var c in _connections.Keys) c.Frozen = true;
    }

    /// <summary>
    /// Sets the YES level at <paramref name="price"/> (BUY = bid side, SELL = ask side) to <paramref name="size"/> (0 removes it)
    /// and tells every subscriber: one batched price_change for both tokens (or legacy single-level messages).
    /// </summary>
    public async Task ChangeLevelAsync(string conditionId, bool bid, decimal price, decimal size)
    {
        var market = Market(conditionId);
        long ts;
        JsonObject yesChange, noChange;
        lock (_gate)
        {
            var book = _books[conditionId];
            var side = bid ? book.Bids : book.Asks;
            if (size <= 0m) side.Remove(price);
            else side[price] = size;
            ts = book.TimestampMs = NextTimestamp();
            var (yesBid, yesAsk) = (Best(book.Bids, max: true), Best(book.Asks, max: false));
            yesChange = Change(market.YesToken, price, size, bid ? "BUY" : "SELL", yesBid, yesAsk);
            // The NO token sees the same order from the other side: a YES bid at p is a NO ask at 1 − p.
            noChange = Change(market.NoToken, 1m - price, size, bid ? "SELL" : "BUY", yesAsk is { } a ? 1m - a : 0m, yesBid is { } b && b > 0m ? 1m - b : 0m);
        }
        if (Interlocked.Exchange(ref _loseNext, 0) == 1) return;
        if (Interlocked.Exchange(ref _truncateNext, 0) == 1)
        {
            var whole = new JsonObject { ["market"] = conditionId, ["price_changes"] = new JsonArray(yesChange, noChange), ["timestamp"] = ts.ToString(CultureInfo.InvariantCulture), ["event_type"] = "price_change" }.ToJsonString();
            await SendRawAsync(whole[..(whole.Length / 2)]);
            return;
        }
        if (MisstatedTops)
        {
            yesChange["best_bid"] = "0.0001";
            noChange["best_bid"] = "0.0001";
        }
        var stamp = ts.ToString(CultureInfo.InvariantCulture);
        if (LegacyPriceChanges)
        {
            foreach (var change in new[] { yesChange, noChange })
            {
                change.Remove("best_bid");
                change.Remove("best_ask");
                change["event_type"] = "price_change";
                change["market"] = conditionId;
                change["timestamp"] = stamp;
                await BroadcastAsync([(string)change["asset_id"]!], change);
            }
            return;
        }
        await BroadcastAsync([market.YesToken, market.NoToken], new JsonObject
        {
            ["market"] = conditionId,
            ["price_changes"] = new JsonArray(yesChange, noChange),
            ["timestamp"] = stamp,
            ["event_type"] = "price_change",
        });
    }

    /// <summary>Changes the market's tick and sends tick_size_change for both tokens.</summary>
    public async Task ChangeTickSizeAsync(string conditionId, decimal newTick)
    {
        var market = Market(conditionId);
        var old = market.TickSize;
        market.TickSize = newTick;
        foreach (var token in new[] { market.YesToken, market.NoToken })
        {
            await BroadcastAsync([token], new JsonObject
            {
                ["asset_id"] = token,
                ["event_type"] = "tick_size_change",
                ["market"] = conditionId,
                ["new_tick_size"] = Dollars(newTick),
                ["old_tick_size"] = Dollars(old),
                ["timestamp"] = NextTimestamp().ToString(CultureInfo.InvariantCulture),
            });
        }
    }

    /// <summary>Sends a 0.01/0.99 ghost book for both tokens of an active market (the real book is unchanged).</summary>
    public async Task SendGhostBookAsync(string conditionId)
    {
        var market = Market(conditionId);
        var ts = NextTimestamp();
        foreach (var token in new[] { market.YesToken, market.NoToken })
        {
            await BroadcastAsync([token], GhostBookJson(market, token, ts));
        }
    }

    /// <summary>Sends last_trade_price for the YES token.</summary>
    public Task SendLastTradeAsync(string conditionId, decimal price, decimal size)
    {
        var market = Market(conditionId);
        return BroadcastAsync([market.YesToken], new JsonObject
        {
            ["asset_id"] = market.YesToken,
            ["event_type"] = "last_trade_price",
            ["fee_rate_bps"] = "0",
            ["market"] = conditionId,
            ["price"] = Dollars(price),
            ["side"] = "BUY",
            ["size"] = size.ToString(CultureInfo.InvariantCulture),
            ["timestamp"] = NextTimestamp().ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Sends market_resolved (YES won) to the market's subscribers.</summary>
    public Task ResolveAsync(string conditionId)
    {
        var market = Market(conditionId);
        return BroadcastAsync([market.YesToken, market.NoToken], new JsonObject
        {
            ["event_type"] = "market_resolved",
            ["id"] = "1",
            ["market"] = conditionId,
            ["assets_ids"] = new JsonArray(market.YesToken, market.NoToken),
            ["winning_asset_id"] = market.YesToken,
            ["winning_outcome"] = market.Outcomes[0],
            ["timestamp"] = NextTimestamp().ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Waits until <paramref name="count"/> connections have been accepted and subscribed.</summary>
    public async Task WaitForConnectionsAsync(long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!(ConnectionsAccepted >= count && _connections.Keys.Count(c => !c.Tokens.IsEmpty) >= Math.Min(count, 1)))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {count} subscribed connection(s) within {timeout}.");
            await Task.Delay(20);
        }
    }

    // ---- used by FakePolymarketMarketData ----

    internal bool CountRestRequest()
    {
        var n = Interlocked.Increment(ref _restRequests);
        if (RateLimitEvery > 0 && n % RateLimitEvery == 0)
        {
            Interlocked.Increment(ref _rateLimited);
            return false;
        }
        return true;
    }

    internal bool TryToken(string token, out FakePolymarketMarket market, out bool isYes)
    {
        var found = _tokens.TryGetValue(token, out var entry);
        (market, isYes) = entry;
        return found;
    }

    internal void Add(FakePolymarketConnection c) => _connections[c] = 0;

    internal void Remove(FakePolymarketConnection c) => _connections.TryRemove(c, out _);

    /// <summary>The book of one token in the CLOB's shape (bids ascending, asks descending: best last).</summary>
    internal JsonObject BookJson(string token, bool withEventType)
    {
        if (!TryToken(token, out var market, out var isYes)) throw new KeyNotFoundException(token);
        if (GhostRestBooks && !withEventType) return GhostBookJson(market, token, NextTimestamp(), withEventType: false);
        JsonArray bids, asks;
        long ts;
        lock (_gate)
        {
            var book = _books[market.ConditionId];
            // A served book is the book as of now (newer than every change it includes), as the venue stamps it.
            ts = NextTimestamp();
            IEnumerable<(decimal Price, decimal Size)> yesBids = book.Bids.Select(l => (l.Key, l.Value)), yesAsks = book.Asks.Select(l => (l.Key, l.Value));
            var (b, a) = isYes ? (yesBids, yesAsks) : (yesAsks.Select(l => (1m - l.Price, l.Size)), yesBids.Select(l => (1m - l.Price, l.Size)));
            bids = Levels(b.OrderBy(l => l.Item1));
            asks = Levels(a.OrderByDescending(l => l.Item1));
        }
        var json = new JsonObject
        {
            ["market"] = market.ConditionId,
            ["asset_id"] = token,
            ["timestamp"] = ts.ToString(CultureInfo.InvariantCulture),
            ["hash"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(bids.ToJsonString() + asks.ToJsonString()))),
            ["bids"] = bids,
            ["asks"] = asks,
            ["min_order_size"] = market.MinOrderSize.ToString(CultureInfo.InvariantCulture),
            ["tick_size"] = Dollars(market.TickSize),
            ["neg_risk"] = market.NegRisk,
        };
        if (withEventType) json["event_type"] = "book";
        return json;
    }

    private JsonObject GhostBookJson(FakePolymarketMarket market, string token, long ts, bool withEventType = true)
    {
        var json = new JsonObject
        {
            ["market"] = market.ConditionId,
            ["asset_id"] = token,
            ["timestamp"] = ts.ToString(CultureInfo.InvariantCulture),
            ["hash"] = "0xghost",
            ["bids"] = Levels([(0.01m, 1000m)]),
            ["asks"] = Levels([(0.99m, 1000m)]),
        };
        if (withEventType) json["event_type"] = "book";
        return json;
    }

    private async Task BroadcastAsync(IReadOnlyList<string> tokens, JsonNode message)
    {
        var text = message.ToJsonString();
        foreach (var c in _connections.Keys)
        {
            if (c.Frozen || !tokens.Any(c.Tokens.ContainsKey)) continue;
            await c.SendAsync(text);
        }
    }

    private long NextTimestamp()
    {
        lock (_gate)
        {
            // Real milliseconds (clients judge message age by them), strictly increasing so every change is newer.
            _clockMs = Math.Max(_clockMs + 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return _clockMs;
        }
    }

    private static JsonObject Change(string token, decimal price, decimal size, string side, decimal? bestBid, decimal? bestAsk) => new()
    {
        ["asset_id"] = token,
        ["price"] = Dollars(price),
        ["size"] = size.ToString(CultureInfo.InvariantCulture),
        ["side"] = side,
        ["hash"] = "0x" + Guid.NewGuid().ToString("N"),
        ["best_bid"] = Dollars(bestBid ?? 0m),
        ["best_ask"] = Dollars(bestAsk ?? 0m),
    };

    private static decimal? Best(Dictionary<decimal, decimal> side, bool max) => side.Count == 0 ? null : max ? side.Keys.Max() : side.Keys.Min();

    private static JsonArray Levels(IEnumerable<(decimal Price, decimal Size)> levels) =>
        new([.. levels.Select(l => (JsonNode)new JsonObject { ["price"] = Dollars(l.Price), ["size"] = l.Size.ToString(CultureInfo.InvariantCulture) })]);

    internal static string Dollars(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private sealed class FakeBook
    {
        public Dictionary<decimal, decimal> Bids { get; } = [];

        public Dictionary<decimal, decimal> Asks { get; } = [];

        public long TimestampMs { get; set; }
    }
}

/// <summary>One market-channel connection of the fake: its tokens and whether it is frozen.</summary>
public sealed class FakePolymarketConnection(WebSocket socket, long number)
{
    private readonly SemaphoreSlim _send = new(1, 1);

    public WebSocket Socket { get; } = socket;

    public long Number { get; } = number;

    /// <summary>The tokens subscribed on this connection.</summary>
    public ConcurrentDictionary<string, byte> Tokens { get; } = new(StringComparer.Ordinal);

    /// <summary>Open and answering PING, but sending no data.</summary>
    public bool Frozen { get; set; }

    /// <summary>The most tokens this connection ever had subscribed at once.</summary>
    public int MostTokens { get; set; }

    public async Task SendAsync(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await _send.WaitAsync();
        try
        {
            if (Socket.State == WebSocketState.Open) await Socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The connection was dropped.
        }
        finally
        {
            _send.Release();
        }
    }
}
