using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ArbBot.Engine.Core;
using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Polymarket.Signing;
using ArbBot.Engine.Venues.Polymarket.Trading;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// The trading half of a loopback Polymarket CLOB, as endpoints on a Kestrel <see cref="WebApplication"/> so one
/// server can also host the market-data fake: <c>GET /version</c>, L1-checked <c>POST /auth/api-key</c> and
/// <c>GET /auth/derive-api-key</c>, L2-checked (HMAC) <c>POST /order</c>, <c>POST /orders</c>, <c>DELETE /order</c>,
/// <c>DELETE /orders</c>, <c>DELETE /cancel-all</c>, <c>GET /data/order/{id}</c>, <c>GET /data/orders</c>,
/// <c>GET /data/trades</c> (paged), <c>GET /balance-allowance</c>, and the user WebSocket <c>/ws/user</c>. Each order's
/// EIP-712 signature is verified by recovering its signer for the token's exchange (neg risk or not) and the version
/// in force. Orders match against <see cref="FakePolymarketExchangeState"/>'s outside books level by level with
/// partial fills, FOK/FAK and post-only semantics; trades are pushed MATCHED then settle (or fail).
/// </summary>
public static class FakePolymarketExchange
{
    private const int PageSize = 2;

    /// <summary>
    /// Maps the endpoints. The host must call <c>app.UseWebSockets()</c> before (the user channel needs it); no
    /// middleware is added, so other endpoints on the same app are untouched.
    /// </summary>
    public static void Map(WebApplication app, FakePolymarketExchangeState state)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(state);
        app.MapGet("/version", () => Results.Json(new { version = state.Version }));
        app.MapPost("/auth/api-key", (HttpContext c) => L1(c, state, () =>
        {
            state.Credentials = state.NewCredentials();
            return Credentials(state);
        }));
        app.MapGet("/auth/derive-api-key", (HttpContext c) => L1(c, state, () => Credentials(state)));
        app.MapPost("/order", H(c => L2Async(c, state, body => PostOrder(state, JsonNode.Parse(body)!.AsObject(), single: true))));
        app.MapPost("/orders", H(c => L2Async(c, state, body =>
        {
            var results = JsonNode.Parse(body)!.AsArray().Select(o => PostOrderCore(state, o!.AsObject(), single: false).Json).ToArray();
            return Results.Json(results.Select(r => (JsonNode?)r).ToArray());
        })));
        app.MapDelete("/order", H(c => L2Async(c, state, body => Cancel(state, [JsonNode.Parse(body)!["orderID"]!.GetValue<string>()]))));
        app.MapDelete("/orders", H(c => L2Async(c, state, body => Cancel(state, JsonNode.Parse(body)!.AsArray().Select(n => n!.GetValue<string>()).ToList()))));
        app.MapDelete("/cancel-all", H(c => L2Async(c, state, _ =>
        {
            List<string> live;
            lock (state.Gate) live = state.Orders.Values.Where(o => o.Status == "LIVE").Select(o => o.Id).ToList();
            return Cancel(state, live);
        })));
        app.MapGet("/data/order/{id}", H(c => L2Async(c, state, _ =>
        {
            var id = c.Request.RouteValues["id"]!.ToString()!;
            lock (state.Gate)
            {
                return state.Orders.TryGetValue(id, out var order) ? Results.Json(OrderJson(state, order)) : Results.Json(new { error = "order not found" }, statusCode: 404);
            }
        })));
        app.MapGet("/data/orders", H(c => L2Async(c, state, _ =>
        {
            lock (state.Gate)
            {
                var asset = c.Request.Query["asset_id"].ToString();
                return Page(c, state.Orders.Values.Where(o => o.Status == "LIVE" && (asset.Length == 0 || o.TokenId == asset)).Select(o => OrderJson(state, o)).ToList());
            }
        })));
        app.MapGet("/data/trades", H(c => L2Async(c, state, _ =>
        {
            lock (state.Gate)
            {
                var asset = c.Request.Query["asset_id"].ToString();
                return Page(c, state.Trades.Where(t => asset.Length == 0 || t.Order.TokenId == asset).Select(t => (JsonNode)t.ToJson(state)).ToList());
            }
        })));
        app.MapGet("/balance-allowance", H(c => L2Async(c, state, _ =>
        {
            lock (state.Gate)
            {
                var token = c.Request.Query["token_id"].ToString();
                var amount = c.Request.Query["asset_type"] == "CONDITIONAL" ? state.Tokens[token].Shares : state.Collateral;
                var units = ((long)Math.Round(amount * 1_000_000m)).ToString(CultureInfo.InvariantCulture);
                return Results.Json(new { balance = units, allowances = new Dictionary<string, string> { ["0xE111180000d2663C0091e4f400237545B87B996B"] = "1000000000000000", ["0xe2222d279d744050d28e00520010520000310F59"] = "1000000000000000" } });
            }
        })));
        app.Map("/ws/user", (HttpContext c) => UserSocketAsync(c, state));
    }

    private static Delegate H(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>A server hosting only this fake (for tests that need nothing else).</summary>
    public static async Task<FakePolymarketExchangeHost> StartAsync(FakePolymarketExchangeState state)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        state.RestFaults.Use(app);
        Map(app, state);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new FakePolymarketExchangeHost(app, state, address);
    }

    private static IResult Credentials(FakePolymarketExchangeState state) => Results.Json(new
    {
        apiKey = state.Credentials.ApiKey,
        secret = state.Credentials.Secret.Reveal(),
        passphrase = state.Credentials.Passphrase.Reveal(),
    });

    private static IResult L1(HttpContext c, FakePolymarketExchangeState state, Func<IResult> handler)
    {
        Interlocked.Increment(ref state.Requests);
        var h = c.Request.Headers;
        try
        {
            var address = PolymarketAddress.Parse(h["POLY_ADDRESS"].ToString());
            var timestamp = long.Parse(h["POLY_TIMESTAMP"].ToString(), CultureInfo.InvariantCulture);
            var nonce = BigInteger.Parse(h["POLY_NONCE"].ToString(), CultureInfo.InvariantCulture);
            var digest = PolymarketClobAuth.Digest(state.ChainId, address, timestamp, nonce);
            if (address == state.AccountKey.Address && PolymarketSignature.Parse(h["POLY_SIGNATURE"].ToString()).TryRecoverAddress(digest, out var signer) && signer == address)
            {
                return handler();
            }
        }
        catch (FormatException)
        {
            // Malformed headers fall through to the refusal.
        }
        Interlocked.Increment(ref state.AuthRejected);
        return Results.Json(new { error = "Unauthorized/Invalid L1 Request headers" }, statusCode: 401);
    }

    private static async Task<IResult> L2Async(HttpContext c, FakePolymarketExchangeState state, Func<string, IResult> handler)
    {
        Interlocked.Increment(ref state.Requests);
        if (state.TakeRateLimit())
        {
            Interlocked.Increment(ref state.RateLimited);
            c.Response.Headers.RetryAfter = "0";
            return Results.Json(new { error = "Too Many Requests" }, statusCode: 429);
        }
        using var reader = new StreamReader(c.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var h = c.Request.Headers;
        var credentials = state.Credentials;
        var expected = PolymarketRequestSigner.Hmac(credentials.Secret, h["POLY_TIMESTAMP"].ToString(), c.Request.Method, c.Request.Path.Value!, body.Length == 0 ? null : body);
        var ok = string.Equals(h["POLY_ADDRESS"].ToString(), state.AccountKey.Address.ToLowerHex(), StringComparison.OrdinalIgnoreCase)
            && h["POLY_API_KEY"] == credentials.ApiKey
            && h["POLY_PASSPHRASE"] == credentials.Passphrase.Reveal()
            && h["POLY_SIGNATURE"] == expected;
        if (!ok)
        {
            Interlocked.Increment(ref state.AuthRejected);
            return Results.Json(new { error = "Unauthorized/Invalid api key" }, statusCode: 401);
        }
        return handler(body);
    }

    private static (IResult Result, JsonNode Json) Refuse(string message, bool single)
    {
        var json = new JsonObject { ["success"] = false, ["orderID"] = null, ["errorMsg"] = message };
        return (Results.Json(json, statusCode: single ? 400 : 200), json);
    }

    private static IResult PostOrder(FakePolymarketExchangeState state, JsonObject body, bool single) => PostOrderCore(state, body, single).Result;

    private static (IResult Result, JsonNode Json) PostOrderCore(FakePolymarketExchangeState state, JsonObject body, bool single)
    {
        state.RecordBody(body.ToJsonString());
        var order = body["order"]!.AsObject();
        if (body["owner"]?.GetValue<string>() != state.Credentials.ApiKey) return Refuse("the order owner has to be the owner of the API KEY", single);
        var isV2 = order.ContainsKey("timestamp");
        if (isV2 != (state.Version == 2))
        {
            var mismatch = new JsonObject { ["error"] = "order_version_mismatch" };
            return (Results.Json(mismatch, statusCode: 400), mismatch);
        }
        var tokenId = order["tokenId"]!.GetValue<string>();
        FakePolymarketExchangeState.FakeToken token;
        lock (state.Gate)
        {
            if (!state.Tokens.TryGetValue(tokenId, out token!)) return Refuse("market not found", single);
        }
        var side = order["side"]!.GetValue<string>();
        var signatureType = order["signatureType"]!.GetValue<int>();
        var maker = PolymarketAddress.Parse(order["maker"]!.GetValue<string>());
        var signer = PolymarketAddress.Parse(order["signer"]!.GetValue<string>());
        var makerAmount = BigInteger.Parse(order["makerAmount"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var takerAmount = BigInteger.Parse(order["takerAmount"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var salt = new BigInteger(order["salt"]!.GetValue<long>());
        var sideValue = side == "BUY" ? Side.Buy : Side.Sell;
        var version = isV2 ? PolymarketExchangeVersion.V2 : PolymarketExchangeVersion.V1;
        var domain = PolymarketExchange.Domain(state.ChainId, version, token.NegRisk).Separator();
        byte[] structHash = isV2
            ? new PolymarketOrderV2(salt, maker, signer, BigInteger.Parse(tokenId, CultureInfo.InvariantCulture), makerAmount, takerAmount, sideValue,
                (PolymarketSignatureType)signatureType, BigInteger.Parse(order["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                PolymarketBytes32.Parse(order["metadata"]!.GetValue<string>()), PolymarketBytes32.Parse(order["builder"]!.GetValue<string>())).StructHash()
            : new PolymarketOrderV1(salt, maker, signer, PolymarketAddress.Parse(order["taker"]!.GetValue<string>()), BigInteger.Parse(tokenId, CultureInfo.InvariantCulture),
                makerAmount, takerAmount, BigInteger.Parse(order["expiration"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                BigInteger.Parse(order["nonce"]!.GetValue<string>(), CultureInfo.InvariantCulture), BigInteger.Parse(order["feeRateBps"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                sideValue, (PolymarketSignatureType)signatureType).StructHash();
        var digest = PolymarketEip712.Digest(domain, structHash);
        if (!SignatureValid(state, order["signature"]!.GetValue<string>(), digest, domain, structHash, maker, signer, signatureType))
        {
            Interlocked.Increment(ref state.SignatureRejected);
            return Refuse("invalid signature", single);
        }
        var id = PolymarketHex.Encode(digest);
        var size = (decimal)(sideValue == Side.Buy ? takerAmount : makerAmount) / 1_000_000m;
        var notional = (decimal)(sideValue == Side.Buy ? makerAmount : takerAmount) / 1_000_000m;
        var price = Math.Round(notional / size, 4);
        var orderType = body["orderType"]!.GetValue<string>();
        var postOnly = body["postOnly"]?.GetValue<bool>() ?? false;

        var trades = new List<FakeTrade>();
        JsonObject response;
        var events = new List<JsonNode>();
        lock (state.Gate)
        {
            if (state.Orders.ContainsKey(id)) return Refuse("order already exists", single);
            if (sideValue == Side.Buy ? state.Collateral < notional : token.Shares < size) return Refuse("not enough balance / allowance", single);
            var book = sideValue == Side.Buy ? token.Asks : token.Bids;
            var crossing = book.Where(l => sideValue == Side.Buy ? l.Key <= price : l.Key >= price)
                .OrderBy(l => sideValue == Side.Buy ? l.Key : -l.Key).ToList();
            var available = crossing.Sum(l => l.Value);
            if (postOnly && crossing.Count > 0) return Refuse("invalid post-only order: order crosses book", single);
            if (orderType == "FOK" && available < size) return Refuse("order couldn't be fully filled. FOK orders are fully filled or killed.", single);
            if (orderType == "FAK" && available == 0m) return Refuse("no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.", single);

            var fake = new FakeOrder(id, tokenId, side, price, size, orderType, signer.ToLowerHex(), signatureType);
            state.Orders[id] = fake;
            decimal making = 0m, taking = 0m;
            foreach (var (levelPrice, levelSize) in crossing)
            {
                var quantity = Math.Min(levelSize, size - fake.Matched);
                if (quantity <= 0m) break;
                book[levelPrice] = levelSize - quantity;
                if (book[levelPrice] == 0m) book.Remove(levelPrice);
                trades.Add(state.RecordTrade(fake, quantity, levelPrice, maker: false));
                making += sideValue == Side.Buy ? quantity * levelPrice : quantity;
                taking += sideValue == Side.Buy ? quantity : quantity * levelPrice;
            }
            var rests = orderType is "GTC" or "GTD" && fake.Matched < size;
            if (!rests && fake.Matched < size) fake.Status = "CANCELED";
            if (rests) events.Add(state.OrderEvent(fake, "PLACEMENT"));
            foreach (var trade in trades) events.Add(trade.ToJson(state));
            response = new JsonObject
            {
                ["success"] = true,
                ["orderID"] = id,
                ["status"] = fake.Matched > 0m ? "matched" : "live",
                ["makingAmount"] = FakePolymarketExchangeState.Text(making),
                ["takingAmount"] = FakePolymarketExchangeState.Text(taking),
                ["errorMsg"] = "",
                ["tradeIDs"] = new JsonArray([.. trades.Select(t => JsonValue.Create(t.Id))]),
            };
        }
        if (!state.TradesAfterResponse) Flush(state, events, trades);
        else _ = Task.Delay(50).ContinueWith(_ => Flush(state, events, trades), TaskScheduler.Default);
        return (Results.Json(response), response);
    }

    private static void Flush(FakePolymarketExchangeState state, List<JsonNode> events, List<FakeTrade> trades)
    {
        foreach (var e in events) state.Push(e);
        foreach (var trade in trades) _ = state.SettleAsync(trade);
    }

    private static bool SignatureValid(FakePolymarketExchangeState state, string hex, byte[] digest, byte[] domain, byte[] structHash, PolymarketAddress maker, PolymarketAddress signer, int signatureType)
    {
        var bytes = PolymarketHex.Decode(hex);
        if (signatureType == (int)PolymarketSignatureType.Poly1271)
        {
            // ERC-7739 wrapper: the inner 65 bytes sign TypedDataSign over the order for the deposit wallet (maker = signer).
            if (maker != signer || bytes.Length < 131 || !bytes.AsSpan(65, 32).SequenceEqual(domain) || !bytes.AsSpan(97, 32).SequenceEqual(structHash)) return false;
            var typeHash = PolymarketKeccak.Hash("TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)" + PolymarketOrderV2.Type.EncodedType);
            var encoded = new byte[32 * 7];
            typeHash.CopyTo(encoded, 0);
            structHash.CopyTo(encoded, 32);
            PolymarketKeccak.Hash("DepositWallet").CopyTo(encoded, 64);
            PolymarketKeccak.Hash("1").CopyTo(encoded, 96);
            PolymarketEip712.EncodeUint(state.ChainId).CopyTo(encoded, 128);
            signer.ToBytes().CopyTo(encoded, 172);
            var inner = PolymarketEip712.Digest(domain, PolymarketKeccak.Hash(encoded));
            return PolymarketSignature.Parse(PolymarketHex.Encode(bytes.AsSpan(0, 65))).TryRecoverAddress(inner, out var owner) && owner == state.AccountKey.Address;
        }
        if (bytes.Length != 65) return false;
        if (signatureType == (int)PolymarketSignatureType.Eoa && maker != signer) return false;
        return PolymarketSignature.Parse(hex).TryRecoverAddress(digest, out var recovered) && recovered == signer && signer == state.AccountKey.Address;
    }

    private static IResult Cancel(FakePolymarketExchangeState state, IReadOnlyList<string> ids)
    {
        var canceled = new List<string>();
        var notCanceled = new Dictionary<string, string>();
        var events = new List<JsonNode>();
        lock (state.Gate)
        {
            foreach (var id in ids)
            {
                if (state.Orders.TryGetValue(id, out var order) && order.Status == "LIVE")
                {
                    order.Status = "CANCELED";
                    canceled.Add(id);
                    events.Add(state.OrderEvent(order, "CANCELLATION"));
                }
                else
                {
                    notCanceled[id] = "order can't be found - already canceled or matched";
                }
            }
        }
        foreach (var e in events) state.Push(e);
        return Results.Json(new { canceled, not_canceled = notCanceled });
    }

    private static JsonObject OrderJson(FakePolymarketExchangeState state, FakeOrder order)
    {
        var json = state.OrderEvent(order, "");
        json.Remove("event_type");
        json.Remove("type");
        return json;
    }

    private static IResult Page(HttpContext c, IReadOnlyList<JsonNode> items)
    {
        var cursor = c.Request.Query["next_cursor"].ToString();
        var offset = cursor is "" or "MA==" ? 0 : int.Parse(Encoding.ASCII.GetString(Convert.FromBase64String(cursor)), CultureInfo.InvariantCulture);
        var page = items.Skip(offset).Take(PageSize).Select(i => i.DeepClone()).ToArray();
        var next = offset + PageSize >= items.Count ? PolymarketClobTradingClient.EndCursor : Convert.ToBase64String(Encoding.ASCII.GetBytes((offset + PageSize).ToString(CultureInfo.InvariantCulture)));
        return Results.Json(new JsonObject { ["data"] = new JsonArray(page), ["next_cursor"] = next, ["limit"] = PageSize, ["count"] = page.Length });
    }

    private static async Task UserSocketAsync(HttpContext c, FakePolymarketExchangeState state)
    {
        if (!c.WebSockets.IsWebSocketRequest)
        {
            c.Response.StatusCode = 400;
            return;
        }
        if (state.RefuseUserConnections)
        {
            c.Response.StatusCode = 503;
            return;
        }
        using var socket = await c.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[16 * 1024];
        FakePolymarketExchangeState.UserSocket? subscriber = null;
        try
        {
            while (socket.State == System.Net.WebSockets.WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, c.RequestAborted);
                if (result.MessageType == System.Net.WebSockets.WebSocketMessageType.Close) break;
                var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
                if (text == "PING")
                {
                    if (subscriber is { Muted: false }) await subscriber.SendAsync("PONG"u8.ToArray());
                    continue;
                }
                if (subscriber is not null) continue;
                using var doc = JsonDocument.Parse(text);
                var auth = doc.RootElement.GetProperty("auth");
                var credentials = state.Credentials;
                if (doc.RootElement.GetProperty("type").GetString() != "user" || auth.GetProperty("apiKey").GetString() != credentials.ApiKey
                    || auth.GetProperty("secret").GetString() != credentials.Secret.Reveal() || auth.GetProperty("passphrase").GetString() != credentials.Passphrase.Reveal())
                {
                    Interlocked.Increment(ref state.AuthRejected);
                    await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.PolicyViolation, "invalid auth", CancellationToken.None);
                    return;
                }
                subscriber = new FakePolymarketExchangeState.UserSocket(socket);
                state.Sockets[subscriber] = 0;
                Interlocked.Increment(ref state.UserConnections);
            }
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException or JsonException or KeyNotFoundException)
        {
            // A dropped or misbehaving client ends its connection only.
        }
        finally
        {
            if (subscriber is not null) state.Sockets.TryRemove(subscriber, out _);
        }
    }
}

/// <summary>A Kestrel server hosting only <see cref="FakePolymarketExchange"/>.</summary>
public sealed class FakePolymarketExchangeHost(WebApplication app, FakePolymarketExchangeState state, Uri address) : IAsyncDisposable
{
    public FakePolymarketExchangeState State { get; } = state;

    public Uri ClobUrl { get; } = address;

    public Uri UserWebSocketUrl { get; } = new UriBuilder(address) { Scheme = "ws", Path = "/ws/user" }.Uri;

    /// <summary>Client options pointing here, with the account key and current credentials, and short test delays.</summary>
    public PolymarketTradingOptions ClientOptions() => new()
    {
        ClobUrl = ClobUrl,
        UserWebSocketUrl = UserWebSocketUrl,
        ChainId = State.ChainId,
        PrivateKey = FakePolymarketExchangeState.PrivateKeyHex,
        ApiKey = State.Credentials.ApiKey,
        ApiSecret = State.Credentials.Secret.Reveal(),
        ApiPassphrase = State.Credentials.Passphrase.Reveal(),
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        RequestsPerSecond = 500,
        PingInterval = TimeSpan.FromMilliseconds(100),
        SilenceTimeout = TimeSpan.FromSeconds(2),
        FillGracePeriod = TimeSpan.FromMilliseconds(300),
    };

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
