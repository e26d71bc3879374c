using System.Collections.Concurrent;
using System.Diagnostics;
using ArbBot.Engine.Core;

namespace ArbBot.Engine.Observability;

/// <summary>How one venue endpoint has answered: calls, errors, latency (last, mean, worst) and the last error.</summary>
public sealed record EndpointHealth(
    VenueId Venue, string Endpoint, long Calls, long Errors, TimeSpan LastLatency, TimeSpan MeanLatency, TimeSpan MaxLatency,
    DateTimeOffset? LastCallAt, string? LastError, DateTimeOffset? LastErrorAt);

/// <summary>
/// A small recorder venue REST clients report each call into (latency, success, error), keyed by venue and endpoint
/// (method and path with ids folded, e.g. <c>GET /markets/{id}</c>), for the Overview page and <c>/metrics</c>.
/// </summary>
public sealed class VenueApiHealth(TimeProvider time)
{
    private readonly ConcurrentDictionary<(VenueId, string), Entry> _entries = new();

    /// <summary>Records one call. <paramref name="error"/> is null for a success; it must never hold a secret.</summary>
    public void Record(VenueId venue, string endpoint, TimeSpan latency, string? error)
    {
        var entry = _entries.GetOrAdd((venue, endpoint), _ => new Entry());
        lock (entry)
        {
            entry.Calls++;
            entry.TotalTicks += latency.Ticks;
            entry.Last = latency;
            if (latency > entry.Max) entry.Max = latency;
            entry.LastCallAt = time.GetUtcNow();
            if (error is not null)
            {
                entry.Errors++;
                entry.LastError = error;
                entry.LastErrorAt = entry.LastCallAt;
            }
        }
    }

    /// <summary>Every endpoint seen, by venue then endpoint.</summary>
    public IReadOnlyList<EndpointHealth> Snapshot() =>
        [.. _entries.Select(e =>
        {
            lock (e.Value)
            {
                var v = e.Value;
                return new EndpointHealth(e.Key.Item1, e.Key.Item2, v.Calls, v.Errors, v.Last, v.Calls == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(v.TotalTicks / v.Calls),
                    v.Max, v.LastCallAt, v.LastError, v.LastErrorAt);
            }
        }).OrderBy(e => e.Venue).ThenBy(e => e.Endpoint, StringComparer.Ordinal)];

    /// <summary>"GET /markets/{id}": the method and the path with segments that look like ids folded, so endpoints stay few.</summary>
    public static string EndpointOf(HttpMethod method, Uri uri)
    {
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => IsVersion(s) || (!s.Any(char.IsDigit) && !s.Any(char.IsUpper)) ? s : "{id}");
        return $"{method.Method} /{string.Join('/', segments)}";
    }

    // "v2" in /trade-api/v2 is part of the endpoint, not an id.
    private static bool IsVersion(string segment) => segment.Length > 1 && segment[0] == 'v' && segment.Skip(1).All(char.IsDigit);

    private sealed class Entry
    {
        public long Calls;
        public long Errors;
        public long TotalTicks;
        public TimeSpan Last;
        public TimeSpan Max;
        public DateTimeOffset? LastCallAt;
        public string? LastError;
        public DateTimeOffset? LastErrorAt;
    }
}

/// <summary>
/// Reports every HTTP call of a venue client to <see cref="VenueApiHealth"/>: each attempt (retries included) with its
/// latency and, for a failure, the status code or the exception's type (never its message, which can hold a URL with
/// a secret in it).
/// </summary>
public sealed class VenueApiHealthHandler(VenueApiHealth health, VenueId venue) : DelegatingHandler
{
    /// <summary>
    /// The caller's own token, set by a client that gives a request a deadline of its own: a cancellation while it is not
    /// cancelled is a timeout (the venue did not answer), recorded as an error rather than ignored as a shutdown.
    /// </summary>
    public static readonly HttpRequestOptionsKey<CancellationToken> CallerToken = new("ArbBot.CallerToken");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = VenueApiHealth.EndpointOf(request.Method, request.RequestUri!);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            health.Record(venue, endpoint, Stopwatch.GetElapsedTime(started),
                response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            return response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested
            && request.Options.TryGetValue(CallerToken, out var caller) && !caller.IsCancellationRequested)
        {
            health.Record(venue, endpoint, Stopwatch.GetElapsedTime(started), "timeout");
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            health.Record(venue, endpoint, Stopwatch.GetElapsedTime(started), ex.GetType().Name);
            throw;
        }
    }
}
