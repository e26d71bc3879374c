using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// Polymarket's live order books from the CLOB market WebSocket. Each market's two tokens (our YES and NO) are
/// subscribed together; at most <see cref="PolymarketOptions.ShardSize"/> tokens share a connection and further
/// markets get further connections, each with its own reconnect loop (<see cref="PolymarketFeedShard"/>).
/// </summary>
/// <remarks>
/// <para>After every (re)connect the shard's books are rehydrated over REST (POST /books) as well as from the
/// socket's initial dump; whichever is newer wins, by the venue's timestamps.</para>
/// <para>A book is refused when it cannot be real (best bid ≤ 0.01 and best ask ≥ 0.99 on a market that is trading —
/// the "ghost book"), a price_change or best_bid_ask whose top of book disagrees with ours means a message was lost
/// (the book is rebuilt from REST), a tick_size_change is applied to the books and to the registry's market at once,
/// and a market_resolved market is emptied, marked closed and unsubscribed.</para>
/// <para>Freeze watchdog: a connection that answers PING but brings no book data for
/// <see cref="PolymarketOptions.FreezeTimeout"/> has its books compared with REST; if the venue moved and the socket
/// said nothing, its books are marked stale and the connection is rebuilt.</para>
/// </remarks>
public sealed class PolymarketMarketDataFeed : IMarketDataFeed
{
    private readonly PolymarketOptions _options;
    private readonly PolymarketRestClient _rest;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private IReadOnlyList<Market> _markets = [];
    private InstrumentRegistry? _registry;
    private PolymarketFeedShard[] _shards = [];
    private long _lastMessageUtcTicks;
    private int _running;

    /// <param name="options">WebSocket URL, shard size, keep-alive, watchdog and reconnect settings.</param>
    /// <param name="rest">Fetches books for rehydration and the watchdog.</param>
    /// <param name="time">Clock for backoff, ages, pings and heartbeats.</param>
    /// <param name="logger">Connection and protocol problems.</param>
    /// <param name="random">Jitter source (seeded in tests).</param>
    public PolymarketMarketDataFeed(PolymarketOptions options, PolymarketRestClient rest, TimeProvider time, ILogger? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rest);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _rest = rest;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _random = random ?? new Random();
    }

    /// <inheritdoc />
    public FeedState State
    {
        get
        {
            if (Volatile.Read(ref _running) == 0) return FeedState.Stopped;
            var shards = Volatile.Read(ref _shards);
            if (shards.Length == 0) return FeedState.Connecting;
            var states = shards.Select(s => s.State).Distinct().ToList();
            if (states.Count == 1) return states[0];
            return states.Any(s => s is FeedState.Live or FeedState.Degraded) ? FeedState.Degraded : FeedState.Connecting;
        }
    }

    /// <inheritdoc />
    public long LastMessageUtcTicks => Interlocked.Read(ref _lastMessageUtcTicks);

    /// <summary>The markets streamed (set by discovery).</summary>
    public IReadOnlyList<Market> Markets
    {
        get
        {
            lock (_gate) return _markets;
        }
    }

    /// <summary>The connections the markets are spread over (known once running).</summary>
    public IReadOnlyList<PolymarketFeedShard> Shards => Volatile.Read(ref _shards);

    /// <summary>Connections opened so far over every shard.</summary>
    public long Connections => Shards.Sum(s => s.Connections);

    /// <summary>Books refused as bogus (ghost books) so far.</summary>
    public long GhostBooksRejected => Shards.Sum(s => s.GhostBooksRejected);

    /// <summary>Frozen connections detected and rebuilt so far.</summary>
    public long FreezesDetected => Shards.Sum(s => s.FreezesDetected);

    /// <summary>Markets whose books were found out of step with the venue (a lost message) and rebuilt from REST.</summary>
    public long Desyncs => Shards.Sum(s => s.Desyncs);

    /// <summary>Takes the discovered markets and the registry they are in (tick-size changes update it). Later discoveries replace the set at the next start.</summary>
    public void Attach(InstrumentRegistry registry, IEnumerable<Market> markets)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(markets);
        lock (_gate)
        {
            _registry = registry;
            _markets = [.. markets];
        }
        _attached.TrySetResult();
    }

    /// <inheritdoc />
    public async Task RunAsync(IBookEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException("The feed is already running.");
        try
        {
            await _attached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            InstrumentRegistry registry;
            IReadOnlyList<Market> markets;
            lock (_gate)
            {
                registry = _registry!;
                markets = _markets;
            }
            // Both tokens of a market share a connection: a shard holds ShardSize / 2 markets.
            var perShard = Math.Max(1, _options.ShardSize / 2);
            var shards = markets.Chunk(perShard)
                .Select((chunk, i) => new PolymarketFeedShard(i + 1, chunk, registry, _options, _rest, _time, _logger, new Random(_random.Next()), Touch))
                .ToArray();
            Volatile.Write(ref _shards, shards);
            if (shards.Length == 0)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
                return;
            }
            _logger.LogInformation("Polymarket market data: {Markets} markets over {Shards} connection(s)", markets.Count, shards.Length);
            await Task.WhenAll(shards.Select(s => s.RunAsync(sink, cancellationToken))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastMessageUtcTicks, _time.GetUtcNow().UtcTicks);
}
