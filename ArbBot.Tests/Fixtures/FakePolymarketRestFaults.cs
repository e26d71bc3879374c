using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ArbBot.Tests.Fixtures;

/// <summary>
/// Scripted REST faults for the fake Polymarket (market data and exchange alike), taken one per HTTP request in order:
/// a status answered instead of the real answer (429 with Retry-After, a 5xx; the request has no effect), or the real
/// answer held back for a delay (slower than the client's timeout; the request has taken effect). Optionally only for requests whose path starts with a prefix (e.g. <c>/order</c>), so a
/// test can break the POST of an order and not the reads around it. WebSocket upgrades are never touched.
/// </summary>
public sealed class FakePolymarketRestFaults
{
    /// <summary>One scripted fault.</summary>
    /// <param name="Status">Answered instead of the real answer (null: the real answer, after <paramref name="Delay"/>).</param>
    /// <param name="RetryAfter">The Retry-After header sent with <paramref name="Status"/>.</param>
    /// <param name="Delay">With a status: waited before it. Without: the request is carried out, then its answer held back this long (the client may give up first).</param>
    /// <param name="PathPrefix">Only a request whose path starts with this takes the fault; null for any.</param>
    /// <param name="Method">Only a request with this method takes the fault; null for any.</param>
    public sealed record Fault(int? Status = null, string? RetryAfter = null, TimeSpan? Delay = null, string? PathPrefix = null, string? Method = null);

    private readonly ConcurrentQueue<Fault> _queue = new();

    /// <summary>Every HTTP request seen (UTC arrival, method, path, status answered: 0 when passed on to the real endpoint).</summary>
    public ConcurrentQueue<(DateTime At, string Method, string Path, int Status)> Log { get; } = new();

    /// <summary>Faults still to be taken.</summary>
    public int Pending => _queue.Count;

    /// <summary>Queues a fault for a later request.</summary>
    public void Enqueue(Fault fault) => _queue.Enqueue(fault);

    /// <summary>Requests that arrived for <paramref name="pathPrefix"/>.</summary>
    public IReadOnlyList<(DateTime At, string Method, string Path, int Status)> For(string pathPrefix) =>
        [.. Log.Where(l => l.Path.StartsWith(pathPrefix, StringComparison.Ordinal))];

    /// <summary>Adds the middleware to <paramref name="app"/> (before its endpoints run).</summary>
    public void Use(WebApplication app) => app.Use(async (context, next) =>
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            await next(context);
            return;
        }
        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        if (_queue.TryPeek(out var fault) && (fault.PathPrefix is null || path.StartsWith(fault.PathPrefix, StringComparison.Ordinal))
            && (fault.Method is null || string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase)) && _queue.TryDequeue(out fault))
        {
            if (fault.Status is { } status)
            {
                Log.Enqueue((DateTime.UtcNow, method, path, status));
                if (fault.Delay is { } wait) await Task.Delay(wait, context.RequestAborted);
                context.Response.StatusCode = status;
                if (fault.RetryAfter is { } retryAfter) context.Response.Headers.RetryAfter = retryAfter;
                await context.Response.WriteAsJsonAsync(new { error = status == 429 ? "Too Many Requests" : "scripted server error" });
                return;
            }
            Log.Enqueue((DateTime.UtcNow, method, path, 0));
            // The venue does the work at once and is slow to answer (the usual shape of a slow venue): a POST whose
            // answer never arrives has still reached the book. The answer is held back, then sent if anyone still waits.
            var original = context.Response.Body;
            using var held = new MemoryStream();
            context.Response.Body = held;
            try
            {
                await next(context);
                await Task.Delay(fault.Delay ?? TimeSpan.Zero, context.RequestAborted);
                held.Position = 0;
                await held.CopyToAsync(original, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up first, as the fault intends.
            }
            finally
            {
                context.Response.Body = original;
            }
            return;
        }
        Log.Enqueue((DateTime.UtcNow, method, path, 0));
        await next(context);
    });
}
