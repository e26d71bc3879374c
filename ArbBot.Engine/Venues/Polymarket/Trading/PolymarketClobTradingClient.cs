using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Polymarket.Signing;
using ArbBot.Engine.Venues.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Polymarket.Trading;

/// <summary>
/// A CLOB call that failed: the HTTP status and the venue's error text (<c>{"error": …}</c> or <c>errorMsg</c>). The
/// message holds the method and path, never headers, credentials or the request body.
/// </summary>
public sealed class PolymarketApiException(HttpStatusCode status, string error, string message) : Exception(message)
{
    /// <summary>The HTTP status (200 for an unreadable 2xx body).</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>The venue's error text, or a client-side code (invalid_body).</summary>
    public string Error { get; } = error;

    /// <summary>True when the venue kept answering 429.</summary>
    public bool IsRateLimited => Status == HttpStatusCode.TooManyRequests;

    /// <summary>True when the venue refused the order because it expects the other exchange version.</summary>
    public bool IsOrderVersionMismatch => Error.Contains("order_version_mismatch", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the request may or may not have taken effect (a 5xx, no answer, or no answer in time): the caller must look before retrying.</summary>
    public bool IsUncertain => (int)Status >= 500 || Status == 0 || Status == HttpStatusCode.RequestTimeout;
}

/// <summary>One order to post: the signed payload and how it should work.</summary>
public sealed record PolymarketOrderPost(PolymarketSignedOrderPayload Order, PolymarketOrderType OrderType, bool PostOnly = false, bool DeferExec = false);

/// <summary>
/// The CLOB's trading API: <c>GET /version</c>, L1-authenticated API-key creation and derivation, and L2 (HMAC) signed
/// order placement (single and batch), cancellation (one, many, all), open orders, trades and balance-allowance.
/// Every call keeps under <see cref="PolymarketTradingOptions.RequestsPerSecond"/>, retries a 429 (nothing happened)
/// with jittered backoff honouring Retry-After, and retries a 5xx only where repeating is harmless (reads and
/// cancels; never a POST of an order, which might have been accepted).
/// </summary>
public sealed class PolymarketClobTradingClient
{
    /// <summary>The cursor the venue returns after the last page.</summary>
    public const string EndCursor = "LTE=";

    private readonly HttpClient _http;
    private readonly string _root;
    private readonly PolymarketPrivateKey _key;
    private readonly PolymarketRequestSigner _signer;
    private readonly PolymarketSignatureType _signatureType;
    private readonly TokenBucket _bucket;
    private readonly RetryDelays _delays;
    private readonly int _maxRetries;
    private readonly TimeSpan _requestTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private PolymarketApiCredentials? _credentials;

    /// <param name="http">The HTTP client (its lifetime belongs to the caller).</param>
    /// <param name="options">URLs, chain, limits and retry settings.</param>
    /// <param name="key">The wallet key (L1 auth, POLY_ADDRESS).</param>
    /// <param name="credentials">L2 credentials; null until created or derived.</param>
    /// <param name="time">Clock for auth timestamps, rate limiting and backoff.</param>
    /// <param name="logger">Where retries are reported (never with headers or bodies).</param>
    /// <param name="random">Jitter source (seeded in tests).</param>
    public PolymarketClobTradingClient(HttpClient http, PolymarketTradingOptions options, PolymarketPrivateKey key, PolymarketApiCredentials? credentials, TimeProvider time, ILogger? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _root = options.ClobUrl.AbsoluteUri.TrimEnd('/');
        _key = key;
        _signer = new PolymarketRequestSigner(key, options.ChainId);
        _signatureType = options.SignatureType;
        _credentials = credentials;
        _time = time;
        _bucket = new TokenBucket(options.RequestsPerSecond, options.RequestsPerSecond, time);
        _delays = new RetryDelays(options.RetryBaseDelay, options.RetryMaxDelay, random);
        _maxRetries = options.MaxRetries;
        _requestTimeout = options.RequestTimeout;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The L2 credentials in use (null before <see cref="UseCredentials"/> or a derivation).</summary>
    public PolymarketApiCredentials? Credentials => Volatile.Read(ref _credentials);

    /// <summary>The wallet address requests are made for.</summary>
    public PolymarketAddress Address => _key.Address;

    /// <summary>Sets the L2 credentials for later calls.</summary>
    public void UseCredentials(PolymarketApiCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        Volatile.Write(ref _credentials, credentials);
    }

    /// <summary>GET /version: the exchange version orders must be signed for (2 when the venue does not say).</summary>
    public async Task<PolymarketExchangeVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        var text = await SendAsync(HttpMethod.Get, "/version", null, null, Auth.None, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        var version = Read<PolymarketVersionWire>(text, "GET", "/version").Version ?? 2;
        return version switch
        {
            1 => PolymarketExchangeVersion.V1,
            2 => PolymarketExchangeVersion.V2,
            _ => throw new PolymarketApiException(HttpStatusCode.OK, "unsupported_version", $"Polymarket GET /version says {version}; this client signs versions 1 and 2 only."),
        };
    }

    /// <summary>POST /auth/api-key (L1): creates new API credentials for the wallet.</summary>
    public Task<PolymarketApiCredentials> CreateApiKeyAsync(BigInteger nonce, CancellationToken cancellationToken) =>
        ApiKeyAsync(HttpMethod.Post, "/auth/api-key", nonce, cancellationToken);

    /// <summary>GET /auth/derive-api-key (L1): returns the credentials already created for the wallet and nonce.</summary>
    public Task<PolymarketApiCredentials> DeriveApiKeyAsync(BigInteger nonce, CancellationToken cancellationToken) =>
        ApiKeyAsync(HttpMethod.Get, "/auth/derive-api-key", nonce, cancellationToken);

    /// <summary>Derives the wallet's credentials, creating them when none exist yet (the official clients' createOrDerive, the other way round so an existing key is never replaced).</summary>
    public async Task<PolymarketApiCredentials> DeriveOrCreateApiKeyAsync(BigInteger nonce, CancellationToken cancellationToken)
    {
        try
        {
            return await DeriveApiKeyAsync(nonce, cancellationToken).ConfigureAwait(false);
        }
        catch (PolymarketApiException e) when (e.Status is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
        {
            return await CreateApiKeyAsync(nonce, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The exact POST /order body: compact JSON in the official clients' field order, signed byte for byte.</summary>
    public string OrderBody(PolymarketOrderPost post)
    {
        ArgumentNullException.ThrowIfNull(post);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WritePost(writer, post, RequireCredentials().ApiKey);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>POST /order. A refusal the venue words in <c>errorMsg</c> comes back as an unsuccessful response, not an exception.</summary>
    public async Task<PolymarketOrderResponse> PostOrderAsync(PolymarketOrderPost post, CancellationToken cancellationToken)
    {
        Validate(post);
        var body = OrderBody(post);
        var text = await SendAsync(HttpMethod.Post, "/order", null, body, Auth.L2, retryServerErrors: false, cancellationToken, acceptRefusal: true).ConfigureAwait(false);
        return Read<PolymarketOrderResponse>(text, "POST", "/order");
    }

    /// <summary>POST /orders: several orders in one request (the venue accepts up to 15); one response per order, in order.</summary>
    public async Task<IReadOnlyList<PolymarketOrderResponse>> PostOrdersAsync(IReadOnlyList<PolymarketOrderPost> posts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(posts);
        if (posts.Count is 0 or > 15) throw new ArgumentOutOfRangeException(nameof(posts), posts.Count, "A batch holds 1 to 15 orders.");
        foreach (var post in posts) Validate(post);
        var owner = RequireCredentials().ApiKey;
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (var post in posts) WritePost(writer, post, owner);
            writer.WriteEndArray();
        }
        var text = await SendAsync(HttpMethod.Post, "/orders", null, Encoding.UTF8.GetString(stream.ToArray()), Auth.L2, retryServerErrors: false, cancellationToken, acceptRefusal: true).ConfigureAwait(false);
        return Read<List<PolymarketOrderResponse>>(text, "POST", "/orders");
    }

    /// <summary>DELETE /order {"orderID"}.</summary>
    public Task<PolymarketCancelResponse> CancelOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        return CancelAsync("/order", JsonSerializer.Serialize(new Dictionary<string, string> { ["orderID"] = orderId }), cancellationToken);
    }

    /// <summary>DELETE /orders [ids].</summary>
    public Task<PolymarketCancelResponse> CancelOrdersAsync(IReadOnlyList<string> orderIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        if (orderIds.Count == 0) return Task.FromResult(new PolymarketCancelResponse([], null));
        return CancelAsync("/orders", JsonSerializer.Serialize(orderIds), cancellationToken);
    }

    /// <summary>DELETE /cancel-all: every open order of the account, including ones this process did not place.</summary>
    public Task<PolymarketCancelResponse> CancelAllAsync(CancellationToken cancellationToken) => CancelAsync("/cancel-all", null, cancellationToken);

    /// <summary>GET /data/order/{id}; null when the venue does not know the order.</summary>
    public async Task<PolymarketOpenOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        var path = "/data/order/" + Uri.EscapeDataString(orderId);
        try
        {
            var text = await SendAsync(HttpMethod.Get, path, null, null, Auth.L2, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
            // The venue answers an unknown id with an empty body or null rather than 404 in some versions.
            return string.IsNullOrWhiteSpace(text) || text.Trim() is "null" or "{}" ? null : Read<PolymarketOpenOrder>(text, "GET", "/data/order");
        }
        catch (PolymarketApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>GET /data/orders, every page: the account's open orders, optionally of one market or token.</summary>
    public Task<IReadOnlyList<PolymarketOpenOrder>> GetOpenOrdersAsync(string? market, string? assetId, CancellationToken cancellationToken) =>
        PagesAsync<PolymarketOpenOrder>("/data/orders", [new("market", market), new("asset_id", assetId)], cancellationToken);

    /// <summary>GET /data/trades, every page: the account's trades, optionally of one market or token and after a unix time.</summary>
    public Task<IReadOnlyList<PolymarketTrade>> GetTradesAsync(string? market, string? assetId, long? afterSeconds, CancellationToken cancellationToken) =>
        PagesAsync<PolymarketTrade>("/data/trades",
            [new("market", market), new("asset_id", assetId), new("after", afterSeconds?.ToString(CultureInfo.InvariantCulture))], cancellationToken);

    /// <summary>GET /balance-allowance: pUSD (no token) or shares of <paramref name="tokenId"/>, with the allowance the exchange may spend.</summary>
    public async Task<PolymarketBalance> GetBalanceAllowanceAsync(string? tokenId, CancellationToken cancellationToken)
    {
        var query = new List<KeyValuePair<string, string?>>
        {
            new("asset_type", tokenId is null ? "COLLATERAL" : "CONDITIONAL"),
            new("token_id", tokenId),
            new("signature_type", ((int)_signatureType).ToString(CultureInfo.InvariantCulture)),
        };
        var text = await SendAsync(HttpMethod.Get, "/balance-allowance", query, null, Auth.L2, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        var wire = Read<PolymarketBalanceAllowanceWire>(text, "GET", "/balance-allowance");
        var balance = PolymarketWire.Units(wire.Balance) ?? throw new PolymarketApiException(HttpStatusCode.OK, "invalid_body", "Polymarket GET /balance-allowance returned no balance.");
        // Several spenders (exchange, neg-risk exchange, adapter): an order may only count on the smallest.
        var allowance = wire.Allowances is { Count: > 0 } all ? all.Values.Min(v => PolymarketWire.Units(v) ?? 0m)
            : PolymarketWire.Units(wire.Allowance) ?? balance;
        return new PolymarketBalance(balance, allowance);
    }

    private async Task<PolymarketApiCredentials> ApiKeyAsync(HttpMethod method, string path, BigInteger nonce, CancellationToken cancellationToken)
    {
        var text = await SendAsync(method, path, null, null, Auth.L1, retryServerErrors: method == HttpMethod.Get, cancellationToken, nonce: nonce).ConfigureAwait(false);
        var wire = Read<PolymarketApiKeyWire>(text, method.Method, path);
        if (string.IsNullOrWhiteSpace(wire.ApiKey) || string.IsNullOrWhiteSpace(wire.Secret) || string.IsNullOrWhiteSpace(wire.Passphrase))
        {
            throw new PolymarketApiException(HttpStatusCode.OK, "invalid_body", $"Polymarket {method.Method} {path} returned incomplete credentials.");
        }
        var credentials = new PolymarketApiCredentials(wire.ApiKey, new PolymarketSecret(wire.Secret), new PolymarketSecret(wire.Passphrase));
        UseCredentials(credentials);
        return credentials;
    }

    private async Task<PolymarketCancelResponse> CancelAsync(string path, string? body, CancellationToken cancellationToken)
    {
        // Cancelling twice is harmless, so a 5xx is retried like a read.
        var text = await SendAsync(HttpMethod.Delete, path, null, body, Auth.L2, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
        return Read<PolymarketCancelResponse>(text, "DELETE", path);
    }

    private async Task<IReadOnlyList<T>> PagesAsync<T>(string path, IReadOnlyList<KeyValuePair<string, string?>> query, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var cursor = "MA==";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var text = await SendAsync(HttpMethod.Get, path, [.. query, new("next_cursor", cursor)], null, Auth.L2, retryServerErrors: true, cancellationToken).ConfigureAwait(false);
            var page = Read<PolymarketPage<T>>(text, "GET", path);
            if (page.Data is not null) items.AddRange(page.Data);
            if (string.IsNullOrEmpty(page.NextCursor) || page.NextCursor == EndCursor) return items;
            // A venue that hands back a cursor it already gave would page forever.
            if (!seen.Add(page.NextCursor)) throw new PolymarketApiException(HttpStatusCode.OK, "invalid_body", $"Polymarket GET {path} repeated cursor '{page.NextCursor}'.");
            cursor = page.NextCursor;
        }
    }

    private enum Auth
    {
        None,
        L1,
        L2,
    }

    private async Task<string> SendAsync(HttpMethod method, string path, IEnumerable<KeyValuePair<string, string?>>? query, string? body, Auth auth,
        bool retryServerErrors, CancellationToken cancellationToken, bool acceptRefusal = false, BigInteger nonce = default)
    {
        var url = BuildUrl(path, query);
        for (var attempt = 0; ; attempt++)
        {
            await _bucket.TakeAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, url);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            // Headers are made per attempt: the timestamp must be fresh. L2 signs the path without its query string.
            var seconds = _time.GetUtcNow().ToUnixTimeSeconds();
            var headers = auth switch
            {
                Auth.L1 => _signer.L1Headers(seconds, nonce),
                Auth.L2 => _signer.L2Headers(RequireCredentials(), seconds, method.Method, path, body),
                _ => null,
            };
            foreach (var (name, value) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(name, value);

            // Each attempt has its own deadline: a venue that takes the request and never answers must not hold the order.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_requestTimeout);
            request.Options.Set(Observability.VenueApiHealthHandler.CallerToken, cancellationToken);
            HttpResponseMessage response;
            string text;
            try
            {
                response = await _http.SendAsync(request, deadline.Token).ConfigureAwait(false);
                text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or OperationCanceledException)
            {
                // No connection, or no answer in time (the HttpClient's own timeout lands here too). A write that may have
                // arrived is not repeated: the caller must look first (IsUncertain).
                var timedOut = e is OperationCanceledException;
                var problem = timedOut ? $"did not answer within {_requestTimeout}" : $"got no answer ({((HttpRequestException)e).HttpRequestError})";
                if (!retryServerErrors || attempt >= _maxRetries)
                {
                    var after = attempt > 0 ? $" after {attempt} retries" : "";
                    throw new PolymarketApiException(timedOut ? HttpStatusCode.RequestTimeout : default, timedOut ? "timeout" : "no_answer", $"Polymarket {method.Method} {path} {problem}{after}.");
                }
                var wait = _delays.Next(attempt);
                _logger.LogWarning("Polymarket {Method} {Path} {Problem}; retry {Attempt} of {Max} in {Delay}", method.Method, path, problem, attempt + 1, _maxRetries, wait);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            using (response)
            {
                if (response.IsSuccessStatusCode) return text;
                // The venue words an order it refuses (balance, tick, FOK not filled) as {"success":false,"errorMsg"} with a 400.
                if (acceptRefusal && response.StatusCode == HttpStatusCode.BadRequest && IsOrderRefusal(text)) return text;
                var status = (int)response.StatusCode;
                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (retryServerErrors && status >= 500);
                if (!retryable || attempt >= _maxRetries) throw Failure(response.StatusCode, text, method.Method, path, attempt);
                var delay = _delays.Next(attempt, RetryDelays.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow()));
                _logger.LogWarning("Polymarket {Method} {Path} answered {Status}; retry {Attempt} of {Max} in {Delay}", method.Method, path, status, attempt + 1, _maxRetries, delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private PolymarketApiCredentials RequireCredentials() =>
        Credentials ?? throw new PolymarketCredentialException("Polymarket API credentials are not set; configure them or derive them with 'polymarket derive-api-key'.");

    private static void Validate(PolymarketOrderPost post)
    {
        ArgumentNullException.ThrowIfNull(post);
        var hasExpiration = post.Order.ExpirationSeconds != 0;
        if (post.OrderType == PolymarketOrderType.Gtd && !hasExpiration) throw new ArgumentException("A GTD order needs an expiration.", nameof(post));
        if (post.OrderType != PolymarketOrderType.Gtd && hasExpiration) throw new ArgumentException($"Only GTD orders carry an expiration, not {post.OrderType}.", nameof(post));
        if (post.PostOnly && post.OrderType is PolymarketOrderType.Fok or PolymarketOrderType.Fak)
        {
            throw new ArgumentException("A post-only order must be able to rest (GTC or GTD).", nameof(post));
        }
    }

    private static void WritePost(Utf8JsonWriter writer, PolymarketOrderPost post, string owner)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("order");
        post.Order.WriteJson(writer);
        writer.WriteString("owner", owner);
        writer.WriteString("orderType", post.OrderType.ToString().ToUpperInvariant());
        // V1 bodies have no deferExec (py-clob-client order_to_json); V2 ones do (order_to_json_v2).
        if (post.Order.Version == PolymarketExchangeVersion.V2) writer.WriteBoolean("deferExec", post.DeferExec);
        writer.WriteBoolean("postOnly", post.PostOnly);
        writer.WriteEndObject();
    }

    private static bool IsOrderRefusal(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            // A version mismatch is not a refusal of this order but of how it was signed: it surfaces as an exception.
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("errorMsg", out var message) && message.ValueKind == JsonValueKind.String
                && message.GetString() is { Length: > 0 } text2 && !text2.Contains("order_version_mismatch", StringComparison.OrdinalIgnoreCase);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private string BuildUrl(string path, IEnumerable<KeyValuePair<string, string?>>? query)
    {
        var builder = new StringBuilder(_root).Append(path);
        var first = true;
        foreach (var (name, value) in query ?? [])
        {
            if (value is null) continue;
            builder.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return builder.ToString();
    }

    internal static T Read<T>(string body, string method, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, PolymarketWire.Options)
                ?? throw new PolymarketApiException(HttpStatusCode.OK, "invalid_body", $"Polymarket {method} {path} returned an empty body.");
        }
        catch (JsonException e)
        {
            // JsonException carries a path and position, not the body text.
            throw new PolymarketApiException(HttpStatusCode.OK, "invalid_body", $"Polymarket {method} {path} returned a body that could not be read ({e.Message}).");
        }
    }

    private static PolymarketApiException Failure(HttpStatusCode status, string body, string method, string path, int retries)
    {
        var error = status.ToString();
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (string[])["error", "errorMsg", "message"])
                {
                    if (doc.RootElement.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(e.GetString()))
                    {
                        error = e.GetString()!;
                        break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's page): the status says enough.
        }
        if (error.Length > 300) error = error[..300] + "…";
        var after = retries > 0 ? $" after {retries} retries" : "";
        return new PolymarketApiException(status, error, $"Polymarket {method} {path} failed with {(int)status} {error}{after}");
    }
}
