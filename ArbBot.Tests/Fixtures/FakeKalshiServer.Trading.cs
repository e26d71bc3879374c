using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// The fake's trading side: Kalshi's portfolio endpoints (create with client_order_id idempotency, cancel, amend,
/// decrease, orders, fills, positions, balance) matching against its books with partial fills and FOK/IOC/GTC, and
/// the private WebSocket channels (fill, user_orders) plus ticker, trade and market_lifecycle_v2. Resting orders wait
/// for <see cref="FillRestingAsync"/> (a counterparty the test plays); they are not shown in the public book.
/// </summary>
public sealed partial class FakeKalshiServer
{
    private readonly Dictionary<string, decimal> _ticks = new(StringComparer.Ordinal);
    private readonly Lock _trading = new();
    private readonly List<FakeOrder> _orders = [];
    private readonly List<JsonObject> _fills = [];
    private readonly Dictionary<string, decimal> _positions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _closedMarkets = new(StringComparer.Ordinal);
    private decimal _balance = 10_000m;
    private long _createRequests;

    /// <summary>The next create is carried out, but its answer is held back this long (a client times out and retries).</summary>
    public TimeSpan? StallNextCreate { get; set; }

    /// <summary>WebSocket handshakes are refused with 503 while set.</summary>
    public bool RefuseWebSockets { get; set; }

    /// <summary>Items per page of the portfolio lists (small, so paging is exercised).</summary>
    public int PortfolioPageSize { get; set; } = 2;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _createBodies = new();

    /// <summary>The JSON body of every POST /portfolio/orders received, in order (to check the wire format).</summary>
    public IReadOnlyList<string> CreateBodies => [.. _createBodies];

    /// <summary>POST /portfolio/orders requests received (duplicates included).</summary>
    public long CreateRequests => Interlocked.Read(ref _createRequests);

    /// <summary>The member's cash in dollars.</summary>
    public decimal Balance
    {
        get
        {
            lock (_trading) return _balance;
        }
        set
        {
            lock (_trading) _balance = value;
        }
    }

    /// <summary>Every order the fake holds (a copy).</summary>
    public IReadOnlyList<FakeOrderView> Orders
    {
        get
        {
            lock (_trading) return [.. _orders.Select(o => o.View())];
        }
    }

    /// <summary>Fills the fake has made (trade ids).</summary>
    public IReadOnlyList<string> FillIds
    {
        get
        {
            lock (_trading) return [.. _fills.Select(f => (string)f["trade_id"]!)];
        }
    }

    /// <summary>Waits until connections have subscribed to <paramref name="channel"/> <paramref name="count"/> times in all (reconnects count again).</summary>
    public async Task WaitForChannelAsync(string channel, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_channelSubscriptions.GetValueOrDefault(channel) < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {count} subscriptions to {channel} within {timeout}.");
            await Task.Delay(20);
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _channelSubscriptions = new(StringComparer.Ordinal);

    /// <summary>A counterparty takes <paramref name="count"/> of a resting order: a maker fill pushed over fill and user_orders.</summary>
    public async Task FillRestingAsync(string orderId, decimal count)
    {
        var pushes = new List<(string Channel, string Ticker, JsonObject Msg)>();
        lock (_trading)
        {
            var order = _orders.Single(o => o.OrderId == orderId);
            if (order.Status != "resting") throw new InvalidOperationException($"order {orderId} is {order.Status}");
            var quantity = Math.Min(count, order.Remaining);
            pushes.Add(("fill", order.Ticker, Execute(order, order.Price, quantity, taker: false)));
            if (order.Remaining == 0m) order.Status = "executed";
            pushes.Add(("user_orders", order.Ticker, order.UserOrderMessage()));
        }
        foreach (var (channel, ticker, msg) in pushes) await PushAsync(channel, ticker, msg);
    }

    /// <summary>Sends market_lifecycle_v2 for a market; deactivated/determined/settled/closed close it to orders.</summary>
    public Task PublishLifecycleAsync(string ticker, string eventType)
    {
        lock (_trading)
        {
            if (eventType is "deactivated" or "determined" or "settled" or "closed") _closedMarkets.Add(ticker);
            else if (eventType == "activated") _closedMarkets.Remove(ticker);
        }
        var msg = new JsonObject { ["market_ticker"] = ticker, ["event_type"] = eventType };
        if (eventType == "determined") msg["result"] = "yes";
        return PushAsync("market_lifecycle_v2", ticker, msg, sequenced: true);
    }

    /// <summary>Sends a public trade and a ticker for a market.</summary>
    public async Task PublishTradeAsync(string ticker, decimal yesPrice, decimal count, string takerSide)
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync("trade", ticker, new JsonObject
        {
            ["trade_id"] = Guid.NewGuid().ToString(),
            ["market_ticker"] = ticker,
            ["yes_price_dollars"] = Dollars(yesPrice),
            ["no_price_dollars"] = Dollars(1m - yesPrice),
            ["count_fp"] = Count(count),
            ["taker_side"] = takerSide,
            ["ts"] = now.ToUnixTimeSeconds(),
            ["ts_ms"] = now.ToUnixTimeMilliseconds(),
        }, sequenced: true);
        await PushAsync("ticker", ticker, new JsonObject
        {
            ["market_ticker"] = ticker,
            ["market_id"] = MarketId(ticker),
            ["price_dollars"] = Dollars(yesPrice),
            ["ts"] = now.ToUnixTimeSeconds(),
        });
    }

    private void MapTrading(WebApplication app)
    {
        const string root = "/trade-api/v2/portfolio";
        app.MapPost(root + "/orders", (Func<HttpContext, Task<IResult>>)CreateOrderAsync);
        app.MapGet(root + "/orders", ListOrders);
        app.MapGet(root + "/orders/{id}", GetOrder);
        app.MapDelete(root + "/orders/{id}", CancelOrderAsync);
        app.MapPost(root + "/orders/{id}/amend", AmendOrderAsync);
        app.MapPost(root + "/orders/{id}/decrease", DecreaseOrderAsync);
        app.MapGet(root + "/fills", ListFills);
        app.MapGet(root + "/positions", ListPositions);
        app.MapGet(root + "/balance", () =>
        {
            lock (_trading)
            {
                return Results.Json(new { balance = (long)(_balance * 100m), portfolio_value = (long)(_positions.Values.Sum(Math.Abs) * 50m), updated_ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds() });
            }
        });
    }

    private async Task<IResult> CreateOrderAsync(HttpContext context)
    {
        Interlocked.Increment(ref _createRequests);
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var pushes = new List<(string Channel, string Ticker, JsonObject Msg)>();
        IResult result;
        lock (_trading)
        {
            result = Create(body, pushes);
        }
        foreach (var (channel, ticker, msg) in pushes) await PushAsync(channel, ticker, msg);
        if (StallNextCreate is { } stall)
        {
            StallNextCreate = null;
            await Task.Delay(stall, CancellationToken.None);
        }
        return result;
    }

    private IResult Create(JsonObject body, List<(string, string, JsonObject)> pushes)
    {
        _createBodies.Enqueue(body.ToJsonString());
        var ticker = (string?)body["ticker"];
        var side = (string?)body["side"];
        var action = (string?)body["action"];
        var clientId = (string?)body["client_order_id"];
        if (ticker is null || side is not ("yes" or "no") || action is not ("buy" or "sell"))
        {
            return Error(400, "invalid_parameters", "ticker, side (yes|no) and action (buy|sell) are required");
        }
        if (body.ContainsKey("type")) return Error(400, "invalid_parameters", "unknown field 'type'");
        if (clientId is not null && _orders.Any(o => o.ClientOrderId == clientId)) return Error(409, "order_already_exists", "an order with this client_order_id exists");
        if (!_books.ContainsKey(ticker)) return Error(404, "market_not_found", "market not found");
        if (_closedMarkets.Contains(ticker)) return Error(400, "market_closed", "the market is not open for trading");
        var count = body["count_fp"] is { } fp ? decimal.Parse((string)fp!, CultureInfo.InvariantCulture) : (decimal?)(long?)body["count"] ?? 0m;
        var priceField = side == "yes" ? "yes_price" : "no_price";
        var price = body[priceField + "_dollars"] is { } pd ? decimal.Parse((string)pd!, CultureInfo.InvariantCulture)
            : body[priceField] is { } cents ? (long)cents! / 100m : -1m;
        if (count <= 0m || count != decimal.Floor(count * 100m) / 100m) return Error(400, "invalid_parameters", "count must be positive with at most 2 decimals");
        var tick = _ticks.GetValueOrDefault(ticker, 0.01m);
        if (price <= 0m || price >= 1m || price % tick != 0m) return Error(400, "invalid_price", $"{priceField}_dollars must be on the market's {tick} grid inside (0, 1)");
        if (action == "buy" && count * price > _balance) return Error(400, "insufficient_balance", "insufficient balance");

        var order = new FakeOrder(Guid.NewGuid().ToString(), clientId, ticker, side, action, price, count, (string?)body["time_in_force"] ?? "good_till_canceled", (bool?)body["post_only"] ?? false);
        _orders.Add(order);
        Match(order, pushes);
        pushes.Add(("user_orders", ticker, order.UserOrderMessage()));
        return Results.Text(new JsonObject { ["order"] = order.OrderJson() }.ToJsonString(), "application/json", statusCode: 201);
    }

    /// <summary>Takes liquidity from the book within the order's limit, honouring post-only, FOK and IOC.</summary>
    private void Match(FakeOrder order, List<(string, string, JsonObject)> pushes)
    {
        var book = _books[order.Ticker];
        // A buy of one side takes the other side's bids (a NO bid at q is a YES ask at 1 − q); a sell hits its own side's bids.
        var levels = order.Action == "buy" ? (order.Side == "yes" ? book.No : book.Yes) : (order.Side == "yes" ? book.Yes : book.No);
        decimal Exec(decimal q) => order.Action == "buy" ? 1m - q : q;
        List<KeyValuePair<decimal, decimal>> crossing;
        lock (book)
        {
            crossing = [.. levels.Where(l => order.Action == "buy" ? Exec(l.Key) <= order.Price : l.Key >= order.Price).OrderByDescending(l => l.Key)];
        }
        var available = crossing.Sum(l => l.Value);
        if (order.PostOnly && available > 0m || order.TimeInForce == "fill_or_kill" && available < order.Remaining)
        {
            order.Status = "canceled";
            order.Remaining = 0m;
            return;
        }
        var deltas = new List<(string Side, decimal Price, decimal Delta)>();
        foreach (var (q, size) in crossing)
        {
            if (order.Remaining == 0m) break;
            var take = Math.Min(size, order.Remaining);
            lock (book)
            {
                levels[q] = levels[q] - take;
                if (levels[q] == 0m) levels.Remove(q);
            }
            deltas.Add((ReferenceEquals(levels, book.Yes) ? "yes" : "no", q, -take));
            pushes.Add(("fill", order.Ticker, Execute(order, Exec(q), take, taker: true)));
        }
        foreach (var (side, q, delta) in deltas) _ = PublishBookChangeAsync(order.Ticker, side, q, delta);
        if (order.Remaining == 0m) order.Status = "executed";
        else if (order.TimeInForce == "immediate_or_cancel")
        {
            order.Status = "canceled";
            order.Remaining = 0m;
        }
    }

    /// <summary>Books a fill of <paramref name="quantity"/> at <paramref name="sidePrice"/> (the price of the order's side) and returns the fill message.</summary>
    private JsonObject Execute(FakeOrder order, decimal sidePrice, decimal quantity, bool taker)
    {
        order.Remaining -= quantity;
        order.Filled += quantity;
        var rate = taker ? 0.07m : 0m;
        var fee = Math.Ceiling(rate * quantity * sidePrice * (1m - sidePrice) * 100m) / 100m;
        order.Fees += fee;
        var signed = order.Action == "buy" ? quantity : -quantity;
        _positions[order.Ticker] = _positions.GetValueOrDefault(order.Ticker) + (order.Side == "yes" ? signed : -signed);
        _balance += (order.Action == "buy" ? -1m : 1m) * quantity * sidePrice - fee;
        var now = DateTimeOffset.UtcNow;
        var yesPrice = order.Side == "yes" ? sidePrice : 1m - sidePrice;
        var fill = new JsonObject
        {
            ["trade_id"] = Guid.NewGuid().ToString(),
            ["order_id"] = order.OrderId,
            ["client_order_id"] = order.ClientOrderId,
            ["market_ticker"] = order.Ticker,
            ["is_taker"] = taker,
            ["side"] = order.Side,
            ["action"] = order.Action,
            ["yes_price_dollars"] = Dollars(yesPrice),
            ["no_price_dollars"] = Dollars(1m - yesPrice),
            ["count_fp"] = Count(quantity),
            ["fee_cost"] = fee.ToString("0.000000", CultureInfo.InvariantCulture),
            ["ts"] = now.ToUnixTimeSeconds(),
            ["ts_ms"] = now.ToUnixTimeMilliseconds(),
            ["post_position_fp"] = Count(_positions[order.Ticker]),
        };
        _fills.Add(fill);
        return fill;
    }

    private async Task PublishBookChangeAsync(string ticker, string side, decimal price, decimal delta)
    {
        // The book already changed under the lock; only subscribers hear about it here.
        foreach (var c in _connections.Keys)
        {
            foreach (var (sid, tickers) in c.Subscriptions)
            {
                if (!tickers.Contains(ticker)) continue;
                await c.SendAsync(new JsonObject
                {
                    ["type"] = "orderbook_delta",
                    ["sid"] = sid,
                    ["seq"] = c.NextSeq(sid, 1),
                    ["msg"] = new JsonObject
                    {
                        ["market_ticker"] = ticker,
                        ["market_id"] = MarketId(ticker),
                        ["price_dollars"] = Dollars(price),
                        ["delta_fp"] = delta.ToString("0.00", CultureInfo.InvariantCulture),
                        ["side"] = side,
                        ["ts_ms"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    },
                });
            }
        }
    }

    private IResult ListOrders(HttpContext context)
    {
        var q = context.Request.Query;
        lock (_trading)
        {
            var all = _orders.Where(o => (string.IsNullOrEmpty(q["ticker"]) || o.Ticker == q["ticker"]) && (string.IsNullOrEmpty(q["status"]) || o.Status == q["status"]))
                .Select(o => (JsonNode)o.OrderJson()).ToList();
            return Page(context, "orders", all);
        }
    }

    private IResult GetOrder(string id)
    {
        lock (_trading)
        {
            var order = _orders.FirstOrDefault(o => o.OrderId == id);
            return order is null ? Error(404, "not_found", "order not found") : Results.Text(new JsonObject { ["order"] = order.OrderJson() }.ToJsonString(), "application/json");
        }
    }

    private async Task<IResult> CancelOrderAsync(string id)
    {
        JsonObject msg;
        FakeOrder? order;
        decimal reduced;
        lock (_trading)
        {
            order = _orders.FirstOrDefault(o => o.OrderId == id);
            if (order is null || order.Status != "resting") return Error(404, "not_found", "no resting order with this id");
            reduced = order.Remaining;
            order.Remaining = 0m;
            order.Status = "canceled";
            msg = order.UserOrderMessage();
        }
        await PushAsync("user_orders", order.Ticker, msg);
        return Results.Text(new JsonObject { ["order"] = order.OrderJson(), ["reduced_by_fp"] = Count(reduced) }.ToJsonString(), "application/json");
    }

    private async Task<IResult> AmendOrderAsync(HttpContext context, string id)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var pushes = new List<(string Channel, string Ticker, JsonObject Msg)>();
        JsonObject old, current;
        lock (_trading)
        {
            var order = _orders.FirstOrDefault(o => o.OrderId == id);
            if (order is null || order.Status != "resting") return Error(404, "not_found", "no resting order with this id");
            if ((string?)body["client_order_id"] != order.ClientOrderId) return Error(400, "invalid_parameters", "client_order_id does not match the order");
            var updated = (string?)body["updated_client_order_id"];
            if (updated is null || _orders.Any(o => o.ClientOrderId == updated)) return Error(409, "order_already_exists", "updated_client_order_id is missing or in use");
            var price = decimal.Parse((string)body[order.Side + "_price_dollars"]!, CultureInfo.InvariantCulture);
            var total = decimal.Parse((string)body["count_fp"]!, CultureInfo.InvariantCulture);
            if (price % _ticks.GetValueOrDefault(order.Ticker, 0.01m) != 0m || total <= order.Filled) return Error(400, "invalid_parameters", "price off grid or count not above the filled count");
            old = order.OrderJson();
            order.ClientOrderId = updated;
            order.Price = price;
            order.Remaining = total - order.Filled;
            Match(order, pushes);
            current = order.OrderJson();
            pushes.Add(("user_orders", order.Ticker, order.UserOrderMessage()));
        }
        foreach (var (channel, ticker, msg) in pushes) await PushAsync(channel, ticker, msg);
        return Results.Text(new JsonObject { ["old_order"] = old, ["order"] = current }.ToJsonString(), "application/json");
    }

    private async Task<IResult> DecreaseOrderAsync(HttpContext context, string id)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        FakeOrder? order;
        JsonObject msg;
        lock (_trading)
        {
            order = _orders.FirstOrDefault(o => o.OrderId == id);
            if (order is null || order.Status != "resting") return Error(404, "not_found", "no resting order with this id");
            var by = body["reduce_by_fp"] is { } b ? decimal.Parse((string)b!, CultureInfo.InvariantCulture)
                : order.Remaining - decimal.Parse((string)body["reduce_to_fp"]!, CultureInfo.InvariantCulture);
            order.Remaining = Math.Max(0m, order.Remaining - by);
            if (order.Remaining == 0m) order.Status = "canceled";
            msg = order.UserOrderMessage();
        }
        await PushAsync("user_orders", order.Ticker, msg);
        return Results.Text(new JsonObject { ["order"] = order.OrderJson() }.ToJsonString(), "application/json");
    }

    private IResult ListFills(HttpContext context)
    {
        var q = context.Request.Query;
        var minTs = long.TryParse(q["min_ts"], out var m) ? m : 0;
        lock (_trading)
        {
            var all = _fills.Where(f => (string.IsNullOrEmpty(q["ticker"]) || (string?)f["market_ticker"] == q["ticker"]) && (long)f["ts"]! >= minTs)
                .Select(f =>
                {
                    // GET /portfolio/fills names the market "ticker" and has no post_position.
                    var copy = f.DeepClone().AsObject();
                    copy["ticker"] = copy["market_ticker"]!.DeepClone();
                    copy.Remove("post_position_fp");
                    return (JsonNode)copy;
                }).ToList();
            return Page(context, "fills", all);
        }
    }

    private IResult ListPositions(HttpContext context)
    {
        lock (_trading)
        {
            var all = _positions.Select(p => (JsonNode)new JsonObject { ["ticker"] = p.Key, ["position_fp"] = Count(p.Value), ["fees_paid_dollars"] = Dollars(_orders.Where(o => o.Ticker == p.Key).Sum(o => o.Fees)) }).ToList();
            return Page(context, "market_positions", all);
        }
    }

    private IResult Page(HttpContext context, string name, List<JsonNode> all)
    {
        var start = int.TryParse(context.Request.Query["cursor"], out var c) ? c : 0;
        var page = all.Skip(start).Take(PortfolioPageSize).ToArray();
        var next = start + PortfolioPageSize < all.Count ? (start + PortfolioPageSize).ToString(CultureInfo.InvariantCulture) : "";
        return Results.Text(new JsonObject { [name] = new JsonArray(page), ["cursor"] = next }.ToJsonString(), "application/json");
    }

    /// <summary>Sends a message on <paramref name="channel"/> to every connection subscribed to it (for the market, or for all markets).</summary>
    private async Task PushAsync(string channel, string ticker, JsonObject msg, bool sequenced = false)
    {
        var type = channel switch { "user_orders" => "user_order", _ => channel };
        foreach (var c in _connections.Keys)
        {
            foreach (var (sid, (subscribed, tickers)) in c.Channels)
            {
                if (subscribed != channel || (tickers.Count > 0 && !tickers.Contains(ticker))) continue;
                var message = new JsonObject { ["type"] = type, ["sid"] = sid, ["msg"] = msg.DeepClone() };
                if (sequenced) message["seq"] = c.NextSeq(sid, 1);
                await c.SendAsync(message);
            }
        }
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message } }, statusCode: status);

    private static string Count(decimal count) => count.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>A copy of one of the fake's orders.</summary>
    public sealed record FakeOrderView(string OrderId, string? ClientOrderId, string Ticker, string Side, string Action, string Status, decimal Price, decimal Filled, decimal Remaining);

    private sealed class FakeOrder(string orderId, string? clientOrderId, string ticker, string side, string action, decimal price, decimal count, string timeInForce, bool postOnly)
    {
        public string OrderId { get; } = orderId;
        public string? ClientOrderId { get; set; } = clientOrderId;
        public string Ticker { get; } = ticker;
        public string Side { get; } = side;
        public string Action { get; } = action;
        public decimal Price { get; set; } = price;
        public decimal Initial { get; } = count;
        public decimal Remaining { get; set; } = count;
        public decimal Filled { get; set; }
        public decimal Fees { get; set; }
        public string TimeInForce { get; } = timeInForce;
        public bool PostOnly { get; } = postOnly;
        public string Status { get; set; } = "resting";

        public FakeOrderView View() => new(OrderId, ClientOrderId, Ticker, Side, Action, Status, Price, Filled, Remaining);

        private decimal YesPrice => Side == "yes" ? Price : 1m - Price;

        public JsonObject OrderJson() => new()
        {
            ["order_id"] = OrderId,
            ["user_id"] = "fake-user",
            ["client_order_id"] = ClientOrderId,
            ["ticker"] = Ticker,
            ["side"] = Side,
            ["action"] = Action,
            ["type"] = "limit",
            ["status"] = Status,
            ["yes_price_dollars"] = Dollars(YesPrice),
            ["no_price_dollars"] = Dollars(1m - YesPrice),
            ["fill_count_fp"] = Count(Filled),
            ["remaining_count_fp"] = Count(Remaining),
            ["initial_count_fp"] = Count(Initial),
            ["taker_fees_dollars"] = Dollars(Fees),
            ["maker_fees_dollars"] = "0.0000",
            ["created_time"] = "2026-01-01T00:00:00Z",
        };

        public JsonObject UserOrderMessage() => new()
        {
            ["order_id"] = OrderId,
            ["user_id"] = "fake-user",
            ["ticker"] = Ticker,
            ["status"] = Status,
            ["side"] = Side,
            ["is_yes"] = Side == "yes",
            ["yes_price_dollars"] = Dollars(YesPrice),
            ["fill_count_fp"] = Count(Filled),
            ["remaining_count_fp"] = Count(Remaining),
            ["initial_count_fp"] = Count(Initial),
            ["taker_fees_dollars"] = Fees.ToString("0.000000", CultureInfo.InvariantCulture),
            ["maker_fees_dollars"] = "0.000000",
            ["client_order_id"] = ClientOrderId,
            ["created_ts_ms"] = 1767225600000,
        };
    }
}
