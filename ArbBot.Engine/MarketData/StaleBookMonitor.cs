using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.MarketData;

/// <summary>
/// Marks books stale (<see cref="StaleReason.Age"/>) when their venue has gone quiet for longer than
/// <see cref="MarketDataOptions.StaleAfter"/>, so nothing trades on a book that only looks alive. A book recovers on its
/// next update or heartbeat, which clear an age mark by themselves.
/// </summary>
/// <remarks>
/// The sweep runs as <see cref="IHubWork"/> on the hub's loop, the books' only writer, so it never races an update.
/// Both the sweep timer and "now" come from the injected <see cref="TimeProvider"/>, so replay and tests control it.
/// </remarks>
public sealed class StaleBookMonitor : BackgroundService
{
    private readonly MarketDataHub _hub;
    private readonly TimeProvider _time;
    private readonly ILogger<StaleBookMonitor> _logger;
    private readonly TimeSpan _staleAfter;
    private readonly TimeSpan _sweepInterval;
    private readonly SweepWork _work;
    private int _sweepQueued;

    public StaleBookMonitor(MarketDataHub hub, IOptions<MarketDataOptions> options, TimeProvider timeProvider, ILogger<StaleBookMonitor> logger)
    {
        _hub = hub;
        _time = timeProvider;
        _logger = logger;
        _staleAfter = options.Value.StaleAfter;
        _sweepInterval = options.Value.SweepInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_staleAfter, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_sweepInterval, TimeSpan.Zero, nameof(options));
        _work = new SweepWork(this);
    }

    /// <summary>
    /// Marks every fresh book of <paramref name="hub"/> that has had no update for longer than
    /// <see cref="MarketDataOptions.StaleAfter"/> as stale for <see cref="StaleReason.Age"/> and notifies its listeners.
    /// Books already stale for any reason are left alone (a sequence gap must not turn into a mere age mark).
    /// Call it on the hub's thread only; returns how many books it marked.
    /// </summary>
    public int Sweep(MarketDataHub hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        var cutoff = _time.GetUtcNow().UtcTicks - _staleAfter.Ticks;
        var marked = 0;
        foreach (var book in hub.Books)
        {
            if (book.IsStale || book.LastUpdateUtcTicks >= cutoff) continue;
            book.MarkStale(StaleReason.Age);
            hub.Notify(book);
            marked++;
        }
        if (marked > 0) _logger.LogWarning("Marked {Count} order books stale: no update for over {StaleAfter}", marked, _staleAfter);
        return marked;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_sweepInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                // A sweep reads "now" when it runs, so one queued behind a burst of events is as good as many:
                // skip the tick rather than pile sweeps into a backed-up hub.
                if (Interlocked.Exchange(ref _sweepQueued, 1) == 1) continue;
                await _hub.PostAsync(_work, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host shutdown.
        }
    }

    private sealed class SweepWork(StaleBookMonitor monitor) : IHubWork
    {
        public void Execute(MarketDataHub hub)
        {
            Volatile.Write(ref monitor._sweepQueued, 0);
            monitor.Sweep(hub);
        }
    }
}
