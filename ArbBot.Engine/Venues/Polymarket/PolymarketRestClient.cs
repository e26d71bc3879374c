using System.Net;
using System.Text;
using ArbBot.Engine.Venues.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// A Polymarket public REST call that failed: the status the venue answered with (200 when a 2xx body could not be
/// read) and what was asked. Public endpoints carry no credentials, so nothing secret can appear here.
/// </summary>
public sealed class PolymarketApiException(HttpStatusCode status, string message) : Exception(message)
{
    /// <summary>The HTTP status the venue answered with.</summary>
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// Polymarket's public HTTP APIs (Gamma and the CLOB's market-data endpoints): one token bucket for every request,
/// 429 and 5xx retried with jittered backoff honouring Retry-After, a request unanswered within
/// <see cref="PolymarketOptions.ReadTimeout"/> (or unable to connect) retried with backoff. POST /books is a read and is
/// retried like one.
/// </summary>
public sealed class PolymarketRestClient
{
    private readonly HttpClient _http;
    private readonly TokenBucket _bucket;
    private readonly RetryDelays _delays;
    private readonly int _maxRetries;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="http">The HTTP client (its lifetime belongs to the caller).</param>
    /// <param name="options">Hosts, rate and retry settings.</param>
    /// <param name="time">Clock for rate limiting and backoff.</param>
    /// <param name="logger">Where retries are reported.</param>
    /// <param name="random">Jitter source (seeded in tests).</param>
    public PolymarketRestClient(HttpClient http, PolymarketOptions options, TimeProvider time, ILogger? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        Options = options;
        _time = time;
        _bucket = new TokenBucket(options.RequestsPerSecond, options.RequestsPerSecond, time);
        _delays = new RetryDelays(options.RetryBaseDelay, options.RetryMaxDelay, random);
        _maxRetries = options.MaxRetries;
        _logger = logger ?? NullLogger.Instance;
    }

    public PolymarketOptions Options { get; }

    /// <summary>GETs a Gamma path (e.g. <c>/events</c>).</summary>
    public Task<string> GammaAsync(string path, IEnumerable<KeyValuePair<string, string?>>? query, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, Url(Options.GammaUrl, path, query), null, cancellationToken);

    /// <summary>GETs a CLOB path (e.g. <c>/book</c>).</summary>
    public Task<string> ClobAsync(string path, IEnumerable<KeyValuePair<string, string?>>? query, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, Url(Options.ClobUrl, path, query), null, cancellationToken);

    /// <summary>POSTs a JSON body to a CLOB read endpoint (e.g. <c>/books</c>).</summary>
    public Task<string> ClobPostAsync(string path, string json, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, Url(Options.ClobUrl, path, null), json, cancellationToken);

    private async Task<string> SendAsync(HttpMethod method, Uri url, string? body, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await _bucket.TakeAsync(cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(method, url);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            // Each attempt gets its own deadline: a venue that takes the request and never answers costs a retry, not the caller.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Options.ReadTimeout);
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
                // No answer in time, or no connection (the HttpClient's own timeout also lands here): every call is a read, retried.
                var problem = e is HttpRequestException http ? $"got no answer ({http.HttpRequestError})" : $"did not answer within {Options.ReadTimeout}";
                if (attempt >= _maxRetries)
                {
                    throw new PolymarketApiException(e is HttpRequestException ? default : HttpStatusCode.RequestTimeout,
                        $"Polymarket {method.Method} {url.AbsolutePath} {problem} after {attempt} retries");
                }
                var wait = _delays.Next(attempt);
                _logger.LogWarning("Polymarket {Method} {Path} {Problem}; retry {Attempt} of {Max} in {Delay}", method.Method, url.AbsolutePath, problem, attempt + 1, _maxRetries, wait);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                continue;
            }
            using var answered = response;
            if (response.IsSuccessStatusCode) return text;
            var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            if (!retryable || attempt >= _maxRetries)
            {
                var after = attempt > 0 ? $" after {attempt} retries" : "";
                throw new PolymarketApiException(response.StatusCode,
                    $"Polymarket {method.Method} {url.AbsolutePath} failed with {(int)response.StatusCode}{after}: {Truncate(text, 200)}");
            }
            var delay = _delays.Next(attempt, RetryDelays.RetryAfter(response.Headers.RetryAfter, _time.GetUtcNow()));
            _logger.LogWarning("Polymarket {Method} {Path} answered {Status}; retry {Attempt} of {Max} in {Delay}", method.Method, url.AbsolutePath, (int)response.StatusCode, attempt + 1, _maxRetries, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Uri Url(Uri root, string path, IEnumerable<KeyValuePair<string, string?>>? query)
    {
        if (!path.StartsWith('/')) throw new ArgumentException("A Polymarket path starts with '/' (e.g. /events).", nameof(path));
        var builder = new StringBuilder(root.AbsoluteUri.TrimEnd('/')).Append(path);
        var first = true;
        foreach (var (name, value) in query ?? [])
        {
            if (value is null) continue;
            builder.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return new Uri(builder.ToString(), UriKind.Absolute);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
