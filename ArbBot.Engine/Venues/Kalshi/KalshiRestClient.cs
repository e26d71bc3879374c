using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ArbBot.Engine.Venues.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>Which of Kalshi's rate-limit budgets a request draws on.</summary>
public enum KalshiRateTier
{
    /// <summary>Market data, portfolio reads.</summary>
    Read,
    /// <summary>Order creation, cancellation, amendment.</summary>
    Write,
}

/// <summary>
/// A Kalshi REST call that failed: the venue's status and error code (from <c>{"error":{"code","message"}}</c>), or
/// <c>invalid_body</c> when a 2xx body could not be read. The message holds the method and path, never headers or keys.
/// </summary>
public sealed class KalshiApiException(HttpStatusCode status, string code, string message) : Exception(message)
{
    /// <summary>The HTTP status the venue answered with.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>Kalshi's error code, or a client-side one (invalid_body).</summary>
    public string Code { get; } = code;

    /// <summary>True when the venue kept refusing with 429 after every retry.</summary>
    public bool IsRateLimited => Status == HttpStatusCode.TooManyRequests;
}

/// <summary>
/// Kalshi's trade API v2 over HTTP: signs every request (when a signer is configured), keeps under the venue's rate
/// limits with one token bucket per tier, retries a 429 (any method: the venue refused it, so nothing happened) and a
/// 5xx on reads with jittered backoff honouring Retry-After, and follows cursor paging.
/// </summary>
public sealed class KalshiRestClient
{
    private readonly HttpClient _http;
    private readonly Uri _root;
    private readonly KalshiRequestSigner? _signer;
    private readonly TokenBucket _reads;
    private readonly TokenBucket _writes;
    private readonly RetryDelays _delays;
    private readonly int _maxRetries;
    private readonly TimeSpan _readTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="http">The HTTP client (its lifetime belongs to the caller).</param>
    /// <param name="options">Hosts, limits and retry settings.</param>
    /// <param name="signer">Signs requests; null for unauthenticated public reads.</param>
    /// <param name="time">Clock for rate limiting, backoff and signature timestamps.</param>
    /// <param name="logger">Where retries are reported (never with headers).</param>
    /// <param name="random">Jitter source (seeded in tests).</param>
    public KalshiRestClient(HttpClient http, KalshiOptions options, KalshiRequestSigner? signer, TimeProvider time, ILogger? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        var root = options.EffectiveRestBaseUrl.ToString().TrimEnd('/');
        _root = new Uri(root, UriKind.Absolute);
        _signer = signer;
        _time = time;
        _reads = new TokenBucket(options.ReadsPerSecond, options.ReadsPerSecond, time);
        _writes = new TokenBucket(options.WritesPerSecond, options.WritesPerSecond, time);
        _delays = new RetryDelays(options.RetryBaseDelay, options.RetryMaxDelay, random);
        _maxRetries = options.MaxRetries;
        _readTimeout = options.ReadTimeout;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>True when requests are signed.</summary>
    public bool IsAuthenticated => _signer is not null;

    /// <summary>GETs a path under the API root (e.g. <c>/markets</c>) and returns the body text.</summary>
    public Task<string> GetStringAsync(string path, IEnumerable<KeyValuePair<string, string?>>? query, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, query, body: null, KalshiRateTier.Read, cancellationToken);

    /// <summary>GETs a path and binds its snake_case JSON body to <typeparamref name="T"/>.</summary>
    public async Task<T> GetAsync<T>(string path, IEnumerable<KeyValuePair<string, string?>>? query, CancellationToken cancellationToken)
    {
        var body = await GetStringAsync(path, query, cancellationToken).ConfigureAwait(false);
        return Read<T>(body, "GET", path);
    }

    /// <summary>Sends a JSON body (snake_case) and binds the answer.</summary>
    public async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object? body, KalshiRateTier tier, CancellationToken cancellationToken)
    {
        var json = body is null ? null : JsonSerializer.Serialize(body, body.GetType(), KalshiParser.WireOptions);
        var text = await SendAsync(method, path, null, json, tier, cancellationToken).ConfigureAwait(false);
        return Read<T>(text, method.Method, path);
    }

    /// <summary>
    /// Follows Kalshi's cursor paging: GETs <paramref name="path"/> with <c>cursor</c> set from the previous page until a
    /// page comes back without one, handing each page's body to <paramref name="readPage"/>, which returns the next cursor.
    /// </summary>
    public async Task PageAsync(string path, IReadOnlyList<KeyValuePair<string, string?>> query, Func<string, string?> readPage, CancellationToken cancellationToken)
    {
        string? cursor = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var pageQuery = cursor is null ? query : [.. query, new("cursor", cursor)];
            var body = await GetStringAsync(path, pageQuery, cancellationToken).ConfigureAwait(false);
            cursor = readPage(body);
            // A venue that hands back a cursor it already gave would page forever.
            if (cursor is not null && !seen.Add(cursor)) throw new KalshiApiException(HttpStatusCode.OK, "invalid_body", $"Kalshi GET {path} repeated cursor '{cursor}'.");
        }
        while (!string.IsNullOrEmpty(cursor));
    }

    /// <summary>Sends one request with limits, signing and retries, and returns the body of a 2xx answer.</summary>
    public async Task<string> SendAsync(HttpMethod method, string path, IEnumerable<KeyValuePair<string, string?>>? query, string? body, KalshiRateTier tier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (!path.StartsWith('/')) throw new ArgumentException("A Kalshi path starts with '/' (e.g. /markets).", nameof(path));
        var url = BuildUrl(path, query);
        for (var attempt = 0; ; attempt++)
        {
            await (tier == KalshiRateTier.Write ? _writes : _reads).TakeAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, url);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            if (_signer is not null)
            {
                // Signed per attempt: the timestamp must be fresh, and the signature covers the path without the query.
                foreach (var (name, value) in _signer.Sign(method.Method, url.AbsoluteUri).AsPairs()) request.Headers.TryAddWithoutValidation(name, value);
            }
            // A read gets its own deadline: a venue that takes the request and never answers must cost a retry, not the caller.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (method == HttpMethod.Get)
            {
                deadline.CancelAfter(_readTimeout);
                request.Options.Set(Observability.VenueApiHealthHandler.CallerToken, cancellationToken);
            }
            HttpResponseMessage response;
            string text;
            try
            {
                response = await _http.SendAsync(request, deadline.Token).ConfigureAwait(false);
                text = await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (method == HttpMethod.Get && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= _maxRetries)
                {
                    throw new KalshiApiException(HttpStatusCode.RequestTimeout, "timeout", $"Kalshi GET {path} did not answer within {_readTimeout} after {attempt} retries");
                }
                var wait = _delays.Next(attempt, null);
                _logger.LogWarning("Kalshi GET {Path} did not answer within {Timeout}; retry {Attempt} of {Max} in {Delay}", path, _readTimeout, attempt + 1, _maxRetries, wait);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            using var answered = response;
            if (response.IsSuccessStatusCode) return text;
            var retryable = response.StatusCode == HttpStatusCode.TooManyRequests
                || (method == HttpMethod.Get && (int)response.StatusCode >= 500);
            if (!retryable || attempt >= _maxRetries)
            {
                throw Failure(response.StatusCode, text, method.Method, path, attempt);
            }
            var delay = _delays.Next(attempt, RetryDelays.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow()));
            _logger.LogWarning("Kalshi {Method} {Path} answered {Status}; retry {Attempt} of {Max} in {Delay}", method.Method, path, (int)response.StatusCode, attempt + 1, _maxRetries, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private Uri BuildUrl(string path, IEnumerable<KeyValuePair<string, string?>>? query)
    {
        var builder = new StringBuilder(_root.AbsoluteUri.TrimEnd('/')).Append(path);
        var first = true;
        foreach (var (name, value) in query ?? [])
        {
            if (value is null) continue;
            builder.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return new Uri(builder.ToString(), UriKind.Absolute);
    }

    private static T Read<T>(string body, string method, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, KalshiParser.WireOptions)
                ?? throw new KalshiApiException(HttpStatusCode.OK, "invalid_body", $"Kalshi {method} {path} returned an empty body.");
        }
        catch (JsonException e)
        {
            throw new KalshiApiException(HttpStatusCode.OK, "invalid_body", $"Kalshi {method} {path} returned a body that could not be read ({e.Message}).");
        }
    }

    private static KalshiApiException Failure(HttpStatusCode status, string body, string method, string path, int retries)
    {
        string code = status.ToString(), message = "";
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                if (error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String) code = c.GetString()!;
                if (error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String) message = m.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page): the status says enough.
        }
        var after = retries > 0 ? $" after {retries} retries" : "";
        var detail = message.Length > 0 ? $": {Truncate(message, 300)}" : "";
        return new KalshiApiException(status, code, $"Kalshi {method} {path} failed with {(int)status} {code}{after}{detail}");
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
