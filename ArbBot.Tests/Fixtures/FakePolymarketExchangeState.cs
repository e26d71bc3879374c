using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Polymarket.Signing;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// What the fake Polymarket exchange knows and can be told to do: one account (Hardhat key #0 and its L2
/// credentials), balances, per-token books of outside liquidity, our orders and trades, and the faults a test asks
/// for (429s, failed trades, dropped or silent user sockets, an exchange-version switch). Thread-safe: every mutation
/// happens under <see cref="Gate"/>.
/// </summary>
public sealed class FakePolymarketExchangeState
{
    /// <summary>Hardhat account #0: publicly known, used by every Polymarket SDK test suite.</summary>
    public const string PrivateKeyHex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    internal readonly Lock Gate = new();
    internal readonly Dictionary<string, FakeToken> Tokens = new(StringComparer.Ordinal);
    internal readonly Dictionary<string, FakeOrder> Orders = new(StringComparer.OrdinalIgnoreCase);
    internal readonly List<FakeTrade> Trades = [];
    internal readonly ConcurrentDictionary<UserSocket, byte> Sockets = new();
    private readonly ConcurrentQueue<string> _bodies = new();
    private int _rateLimitRemaining;
    private int _failTradesRemaining;
    private long _nextOutsideOrder;

    public FakePolymarketExchangeState(long chainId = PolymarketExchange.Polygon)
    {
        ChainId = chainId;
        AccountKey = PolymarketPrivateKey.FromHex(PrivateKeyHex);
        Credentials = NewCredentials();
    }

    public long ChainId { get; }

    public PolymarketPrivateKey AccountKey { get; }

    /// <summary>The account's current L2 credentials (replaced by POST /auth/api-key).</summary>
    public PolymarketApiCredentials Credentials { get; internal set; }

    /// <summary>What GET /version answers; orders signed for the other version are refused with order_version_mismatch.</summary>
    public int Version { get; set; } = 2;

    /// <summary>pUSD the account holds.</summary>
    public decimal Collateral { get; set; } = 1000m;

    /// <summary>How long each settlement step (MATCHED → MINED → CONFIRMED) takes.</summary>
    public TimeSpan SettleStepDelay { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>While true, user-channel events are lost (as if the socket had been down when they happened).</summary>
    public bool UserEventsLost { get; set; }

    /// <summary>While true, a taker order's trade events are sent after the POST's answer rather than before it.</summary>
    public bool TradesAfterResponse { get; set; }

    public long Requests;
    public long RateLimited;
    public long AuthRejected;
    public long SignatureRejected;
    public long UserConnections;

    /// <summary>While true, user-channel connections are refused (503), as a venue whose socket service is down.</summary>
    public bool RefuseUserConnections { get; set; }

    /// <summary>Scripted REST faults (429, 5xx, slow answers) for the trading endpoints.</summary>
    public FakePolymarketRestFaults RestFaults { get; } = new();

    /// <summary>Every POST /order and /orders body, as received.</summary>
    public IReadOnlyCollection<string> OrderBodies => [.. _bodies];

    internal void RecordBody(string body) => _bodies.Enqueue(body);

    /// <summary>The next <paramref name="count"/> authenticated trading requests are answered 429 with Retry-After: 0.</summary>
    public void RateLimitNext(int count) => Interlocked.Exchange(ref _rateLimitRemaining, count);

    internal bool TakeRateLimit()
    {
        while (true)
        {
            var left = Volatile.Read(ref _rateLimitRemaining);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _rateLimitRemaining, left - 1, left) == left) return true;
        }
    }

    /// <summary>The next <paramref name="count"/> trades go MATCHED → RETRYING → FAILED instead of settling.</summary>
    public void FailNextTrades(int count) => Interlocked.Exchange(ref _failTradesRemaining, count);

    internal bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failTradesRemaining);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _failTradesRemaining, left - 1, left) == left) return true;
        }
    }

    /// <summary>A tradable token: its market, exchange kind and taker fee terms (rate, exponent).</summary>
    public void AddToken(string tokenId, string conditionId, bool negRisk = false, decimal feeRate = 0m, int feeExponent = 1, decimal shares = 0m)
    {
        lock (Gate) Tokens[tokenId] = new FakeToken(tokenId, conditionId, negRisk, feeRate, feeExponent) { Shares = shares };
    }

    /// <summary>Outside sell orders (what a BUY takes), any order.</summary>
    public void SetAsks(string tokenId, params (decimal Price, decimal Size)[] levels)
    {
        lock (Gate) Tokens[tokenId].Asks = levels.ToDictionary(l => l.Price, l => l.Size);
    }

    /// <summary>Outside buy orders (what a SELL takes).</summary>
    public void SetBids(string tokenId, params (decimal Price, decimal Size)[] levels)
    {
        lock (Gate) Tokens[tokenId].Bids = levels.ToDictionary(l => l.Price, l => l.Size);
    }

    public decimal SharesOf(string tokenId)
    {
        lock (Gate) return Tokens[tokenId].Shares;
    }

    /// <summary>Our orders as the venue sees them.</summary>
    public IReadOnlyList<FakeOrder> OrdersSnapshot()
    {
        lock (Gate) return [.. Orders.Values];
    }

    /// <summary>Our trades with their current status.</summary>
    public IReadOnlyList<FakeTrade> TradesSnapshot()
    {
        lock (Gate) return [.. Trades];
    }

    /// <summary>An outside taker fills <paramref name="quantity"/> of our resting order: a MAKER trade for us.</summary>
    public void TakeResting(string orderId, decimal quantity)
    {
        FakeTrade trade;
        JsonObject orderEvent;
        lock (Gate)
        {
            var order = Orders[orderId];
            if (order.Status != "LIVE") throw new InvalidOperationException($"Order {orderId} is {order.Status}.");
            quantity = Math.Min(quantity, order.Size - order.Matched);
            trade = RecordTrade(order, quantity, order.Price, maker: true);
            orderEvent = OrderEvent(order, "UPDATE");
        }
        Push(trade.ToJson(this));
        Push(orderEvent);
        _ = SettleAsync(trade);
    }

    /// <summary>
    /// Every open user socket goes silent but stays open: no PONG, no events (a half-open connection). Events meant for
    /// it are lost; sockets opened later work normally.
    /// </summary>
    public void MuteUserSockets()
    {
        foreach (var socket in Sockets.Keys) socket.Muted = true;
    }

    /// <summary>Aborts every user socket without a close handshake.</summary>
    public void DropUserSockets()
    {
        foreach (var socket in Sockets.Keys) socket.Socket.Abort();
    }

    /// <summary>Waits until at least <paramref name="count"/> user sockets have subscribed in total and one is open.</summary>
    public async Task WaitForUserConnectionAsync(long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Interlocked.Read(ref UserConnections) < count || Sockets.IsEmpty)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No user connection #{count} within {timeout}.");
            await Task.Delay(10);
        }
    }

    internal PolymarketApiCredentials NewCredentials() =>
        new(Guid.NewGuid().ToString(), new PolymarketSecret(Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray())),
            new PolymarketSecret(Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())));

    internal string NextOutsideOrderId() => "0x" + Interlocked.Increment(ref _nextOutsideOrder).ToString("x64", CultureInfo.InvariantCulture);

    /// <summary>Records a trade of ours (under <see cref="Gate"/>) and moves balances.</summary>
    internal FakeTrade RecordTrade(FakeOrder order, decimal quantity, decimal price, bool maker)
    {
        var token = Tokens[order.TokenId];
        var fee = maker ? 0m : Math.Floor(quantity * token.FeeRate * Power(price * (1 - price), token.FeeExponent) * 100_000m) / 100_000m;
        if (order.Side == "BUY")
        {
            Collateral -= quantity * price + fee;
            token.Shares += quantity;
        }
        else
        {
            Collateral += quantity * price - fee;
            token.Shares -= quantity;
        }
        order.Matched += quantity;
        if (order.Matched >= order.Size) order.Status = "MATCHED";
        order.TradeIds.Add(Guid.NewGuid().ToString());
        var trade = new FakeTrade(order.TradeIds[^1], order, quantity, price, maker, maker ? 0m : token.FeeRate * 10_000m, NextOutsideOrderId());
        Trades.Add(trade);
        return trade;
    }

    internal JsonObject OrderEvent(FakeOrder order, string type) => new()
    {
        ["event_type"] = "order",
        ["type"] = type,
        ["id"] = order.Id,
        ["owner"] = Credentials.ApiKey,
        ["market"] = Tokens[order.TokenId].ConditionId,
        ["asset_id"] = order.TokenId,
        ["side"] = order.Side,
        ["price"] = Text(order.Price),
        ["original_size"] = Text(order.Size),
        ["size_matched"] = Text(order.Matched),
        ["status"] = order.Status,
        ["order_type"] = order.OrderType,
        ["associate_trades"] = new JsonArray([.. order.TradeIds.Select(t => JsonValue.Create(t))]),
        ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Sends an event to every subscribed user socket (unless events are being lost).</summary>
    internal void Push(JsonNode message)
    {
        if (UserEventsLost) return;
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        foreach (var socket in Sockets.Keys)
        {
            if (!socket.Muted) socket.Send(bytes);
        }
    }

    /// <summary>Moves a trade through MINED → CONFIRMED (or RETRYING → FAILED), pushing each status.</summary>
    internal async Task SettleAsync(FakeTrade trade)
    {
        var fail = TakeFailure();
        foreach (var status in fail ? ["RETRYING", "FAILED"] : (string[])["MINED", "CONFIRMED"])
        {
            await Task.Delay(SettleStepDelay);
            JsonNode json;
            lock (Gate)
            {
                trade.Status = status;
                json = trade.ToJson(this);
            }
            Push(json);
        }
    }

    internal static string Text(decimal value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static decimal Power(decimal x, int exponent)
    {
        var result = 1m;
        for (var i = 0; i < exponent; i++) result *= x;
        return result;
    }

    internal sealed class FakeToken(string tokenId, string conditionId, bool negRisk, decimal feeRate, int feeExponent)
    {
        public string TokenId { get; } = tokenId;
        public string ConditionId { get; } = conditionId;
        public bool NegRisk { get; } = negRisk;
        public decimal FeeRate { get; } = feeRate;
        public int FeeExponent { get; } = feeExponent;
        public decimal Shares { get; set; }
        public Dictionary<decimal, decimal> Asks { get; set; } = [];
        public Dictionary<decimal, decimal> Bids { get; set; } = [];
    }

    /// <summary>A user-channel subscriber; sends are serialized per socket.</summary>
    internal sealed class UserSocket(WebSocket socket)
    {
        private readonly SemaphoreSlim _sending = new(1, 1);

        public WebSocket Socket { get; } = socket;

        /// <summary>Silent: neither PONGs nor events go out (the client sees a half-open connection).</summary>
        public volatile bool Muted;

        public void Send(byte[] bytes) => _ = SendAsync(bytes);

        public async Task SendAsync(byte[] bytes)
        {
            await _sending.WaitAsync();
            try
            {
                if (Socket.State == WebSocketState.Open) await Socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                // A dropped socket loses what was being sent, as a real one would.
            }
            finally
            {
                _sending.Release();
            }
        }
    }
}

/// <summary>One of our orders on the fake exchange.</summary>
public sealed class FakeOrder(string id, string tokenId, string side, decimal price, decimal size, string orderType, string signer, int signatureType)
{
    public string Id { get; } = id;
    public string TokenId { get; } = tokenId;
    public string Side { get; } = side;
    public decimal Price { get; } = price;
    public decimal Size { get; } = size;
    public string OrderType { get; } = orderType;
    public string Signer { get; } = signer;
    public int SignatureType { get; } = signatureType;
    public decimal Matched { get; set; }

    /// <summary>LIVE, MATCHED or CANCELED.</summary>
    public string Status { get; set; } = "LIVE";

    public List<string> TradeIds { get; } = [];
}

/// <summary>One trade of ours: we were the taker, or the maker when an outside order took our resting one.</summary>
public sealed class FakeTrade(string id, FakeOrder order, decimal quantity, decimal price, bool maker, decimal feeRateBps, string outsideOrderId)
{
    public string Id { get; } = id;
    public FakeOrder Order { get; } = order;
    public decimal Quantity { get; } = quantity;
    public decimal Price { get; } = price;
    public bool Maker { get; } = maker;
    public decimal FeeRateBps { get; } = feeRateBps;
    public string Status { get; set; } = "MATCHED";

    internal JsonObject ToJson(FakePolymarketExchangeState state)
    {
        var token = state.Tokens[Order.TokenId];
        var outside = new JsonObject
        {
            ["order_id"] = Maker ? Order.Id : outsideOrderId,
            ["owner"] = Maker ? state.Credentials.ApiKey : "outside-owner",
            ["maker_address"] = "0x0000000000000000000000000000000000000001",
            ["matched_amount"] = FakePolymarketExchangeState.Text(Quantity),
            ["price"] = FakePolymarketExchangeState.Text(Price),
            ["fee_rate_bps"] = "0",
            ["asset_id"] = Order.TokenId,
            ["outcome"] = "Yes",
        };
        return new JsonObject
        {
            ["event_type"] = "trade",
            ["type"] = "TRADE",
            ["id"] = Id,
            ["taker_order_id"] = Maker ? outsideOrderId : Order.Id,
            ["market"] = token.ConditionId,
            ["asset_id"] = Order.TokenId,
            ["side"] = Maker ? (Order.Side == "BUY" ? "SELL" : "BUY") : Order.Side,
            ["size"] = FakePolymarketExchangeState.Text(Quantity),
            ["price"] = FakePolymarketExchangeState.Text(Price),
            ["fee_rate_bps"] = FakePolymarketExchangeState.Text(FeeRateBps),
            ["status"] = Status,
            ["owner"] = state.Credentials.ApiKey,
            ["trader_side"] = Maker ? "MAKER" : "TAKER",
            ["maker_orders"] = new JsonArray(outside),
            ["match_time"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
        };
    }
}
