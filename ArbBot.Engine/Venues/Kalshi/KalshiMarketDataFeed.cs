using System.Buffers;
using System.Net.WebSockets;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Venues.Kalshi;

/// <summary>
/// Kalshi's live order books over its WebSocket: a signed handshake (GET /trade-api/ws/v2), the
/// <c>orderbook_delta</c> channel for every discovered market, snapshot then deltas, each turned into book events for
/// the market's YES and NO instruments (Kalshi publishes bids only: a YES bid at p is a NO ask at 1 − p).
/// </summary>
/// <remarks>
/// <para>Sequence numbers are contiguous per subscription; on a gap every market of that subscription is marked stale
/// and a fresh snapshot is requested (update_subscription get_snapshot); its deltas are dropped until it arrives.</para>
/// <para>The same connection carries <c>ticker</c> and <c>trade</c> for the streamed markets (kept as each market's
/// last trade, <see cref="LastTrade"/>) and <c>market_lifecycle_v2</c>: a market that is deactivated, determined,
/// settled or closed is no longer tradable (<see cref="IsTradable"/>); its books are cleared and marked stale, get no
/// heartbeats and ignore deltas until it is activated again, which asks for a fresh snapshot.</para>
/// <para>A dropped connection marks every book stale (Disconnected) and reconnects with jittered backoff, subscribing
/// everything again. WebSocket pings are answered by the runtime; our own keep-alive pings detect a dead peer.</para>
/// <para>A delta the venue stamped longer ago than <see cref="KalshiOptions.MaxMessageAge"/> is applied (the book must
/// stay whole) but leaves the book marked stale by age: old news is not news. While the connection is healthy and
/// current, quiet books get a heartbeat every <see cref="KalshiOptions.HeartbeatInterval"/> so the stale-book monitor
/// does not mistake a quiet market for a dead feed.</para>
/// </remarks>
public sealed class KalshiMarketDataFeed : IMarketDataFeed
{
    // Kalshi accepts many tickers per subscribe; batches keep each command (and each error) small.
    private const int TickersPerSubscribe = 100;

    private readonly KalshiOptions _options;
    private readonly KalshiRequestSigner? _signer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetryDelays _reconnectDelays;
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Dictionary<string, Market> _markets = new(StringComparer.Ordinal);
    // Per connection, guarded by _gate: markets waiting for a snapshot, and whether the venue's messages run late.
    private readonly HashSet<string> _awaitingSnapshot = new(StringComparer.Ordinal);
    private bool _lagging;
    // Markets whose lifecycle ended trading, and each market's last trade; guarded by _gate.
    private readonly HashSet<string> _closed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KalshiLastTrade> _lastTrades = new(StringComparer.Ordinal);
    private long _lastMessageUtcTicks;
    private long _connections;
    private long _gaps;
    private int _state = (int)FeedState.Stopped;
    private int _running;

    /// <param name="options">WebSocket URL, message age, heartbeat and reconnect settings.</param>
    /// <param name="signer">Signs the handshake; null connects unauthenticated (the venue may refuse order books).</param>
    /// <param name="time">Clock for backoff, ages and heartbeats.</param>
    /// <param name="logger">Connection and protocol problems.</param>
    /// <param name="random">Jitter source (seeded in tests).</param>
    public KalshiMarketDataFeed(KalshiOptions options, KalshiRequestSigner? signer, TimeProvider time, ILogger? logger = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _signer = signer;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _reconnectDelays = new RetryDelays(options.RetryBaseDelay, options.RetryMaxDelay, random);
    }

    /// <inheritdoc />
    public FeedState State => (FeedState)Volatile.Read(ref _state);

    /// <inheritdoc />
    public long LastMessageUtcTicks => Interlocked.Read(ref _lastMessageUtcTicks);

    /// <summary>Connections opened so far (1 after the first connect; each reconnect adds one).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Sequence gaps detected so far.</summary>
    public long Gaps => Interlocked.Read(ref _gaps);

    /// <summary>The markets streamed (set by discovery).</summary>
    public IReadOnlyCollection<Market> Markets
    {
        get
        {
            lock (_gate) return _markets.Values.ToArray();
        }
    }

    /// <summary>False once Kalshi's lifecycle channel said the market stopped trading (deactivated, determined, settled, closed).</summary>
    public bool IsTradable(string ticker)
    {
        lock (_gate) return !_closed.Contains(ticker);
    }

    /// <summary>The last trade the trade or ticker channel reported for a market, or null before the first.</summary>
    public KalshiLastTrade? LastTrade(string ticker)
    {
        lock (_gate) return _lastTrades.GetValueOrDefault(ticker);
    }

    /// <summary>Raised (on the feed's thread) when a market's tradability changes: ticker, tradable.</summary>
    public event Action<string, bool>? TradabilityChanged;

    /// <summary>Takes the discovered markets; markets added by a later discovery are subscribed at the next (re)connect.</summary>
    public void Attach(IEnumerable<Market> markets)
    {
        ArgumentNullException.ThrowIfNull(markets);
        lock (_gate) _markets = markets.ToDictionary(m => m.MarketKey, StringComparer.Ordinal);
        _attached.TrySetResult();
    }

    /// <inheritdoc />
    public async Task RunAsync(IBookEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Interlocked.Exchange(ref _running, 1) == 1) throw new InvalidOperationException("The feed is already running.");
        try
        {
            SetState(FeedState.Connecting);
            await _attached.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var failures = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var gotData = false;
                try
                {
                    gotData = await RunConnectionAsync(sink, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException)
                {
                    _logger.LogWarning("Kalshi WebSocket connection lost: {Reason}", ex.Message);
                }
                catch (Exception ex)
                {
                    // A defect or a message no one foresaw must cost one connection (books stale, then rebuilt from
                    // fresh snapshots), never the feed: a feed that died here would leave every Kalshi book stale for good.
                    _logger.LogError(ex, "Kalshi WebSocket: unexpected failure; reconnecting");
                }
                SetState(FeedState.Disconnected);
                await MarkAllAsync(sink, StaleReason.Disconnected, cancellationToken).ConfigureAwait(false);
                // A connection that delivered books resets the backoff: the next drop is a new incident.
                failures = gotData ? 0 : failures + 1;
                var delay = _reconnectDelays.Next(failures);
                _logger.LogInformation("Kalshi WebSocket reconnecting in {Delay}", delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
        finally
        {
            SetState(FeedState.Stopped);
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>One connection's life: connect, subscribe, apply messages until it ends. True when a snapshot arrived.</summary>
    private async Task<bool> RunConnectionAsync(IBookEventSink sink, CancellationToken cancellationToken)
    {
        SetState(FeedState.Connecting);
        Dictionary<string, Market> markets;
        lock (_gate)
        {
            markets = _markets;
            _awaitingSnapshot.Clear();
            _awaitingSnapshot.UnionWith(markets.Keys.Where(k => !_closed.Contains(k)));
            _lagging = false;
        }
        using var socket = new ClientWebSocket();
        if (_signer is not null)
        {
            foreach (var (name, value) in _signer.SignWebSocketHandshake().AsPairs()) socket.Options.SetRequestHeader(name, value);
        }
        // Kalshi pings every 10 s; our own pings with a timeout notice a peer that vanished without closing.
        socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = _options.KeepAliveTimeout;
        await socket.ConnectAsync(_options.EffectiveWebSocketUrl, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _connections);
        Touch();

        var tracker = new KalshiSequenceTracker();
        var pending = new Dictionary<long, List<string>>();
        var tickersBySid = new Dictionary<long, List<string>>();
        long nextId = 1;
        foreach (var batch in markets.Keys.Chunk(TickersPerSubscribe))
        {
            var id = nextId++;
            pending[id] = [.. batch];
            await SendAsync(socket, KalshiParser.SubscribeCommand(id, ["orderbook_delta"], batch), cancellationToken).ConfigureAwait(false);
        }

        var orderbookIds = new HashSet<long>(pending.Keys);
        if (markets.Count > 0)
        {
            foreach (var batch in markets.Keys.Chunk(TickersPerSubscribe))
            {
                await SendAsync(socket, KalshiParser.SubscribeCommand(nextId++, ["ticker", "trade"], batch), cancellationToken).ConfigureAwait(false);
            }
            // Lifecycle for every market: the venue sends few of these, and a filter would miss markets discovered later.
            await SendAsync(socket, KalshiParser.SubscribeCommand(nextId++, ["market_lifecycle_v2"]), cancellationToken).ConfigureAwait(false);
        }

        using var connectionEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var heartbeats = HeartbeatAsync(sink, markets, connectionEnd.Token);
        var gotSnapshot = false;
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(8 * 1024), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _logger.LogWarning("Kalshi closed the WebSocket: {Status} {Description}", socket.CloseStatus, socket.CloseStatusDescription);
                        return gotSnapshot;
                    }
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage);
                Touch();
                var parsed = KalshiParser.ParseWebSocket(buffer.WrittenSpan);
                if (!parsed.IsSuccess)
                {
                    _logger.LogWarning("Kalshi WebSocket: ignored a message that could not be read: {Reason}", parsed.Error);
                    continue;
                }
                switch (parsed.Value)
                {
                    case KalshiSubscribed s:
                        // Only order-book subscriptions carry sequenced book messages; a gap is recovered per sid.
                        if (s.Channel == "orderbook_delta" && s.Id is { } sid && orderbookIds.Contains(sid) && pending.Remove(sid, out var tickers)) tickersBySid[s.Sid] = tickers;
                        break;
                    case KalshiOrderbookSnapshot snap:
                        tracker.ObserveSnapshot(snap.Sid, snap.Seq);
                        if (markets.TryGetValue(snap.MarketTicker, out var market) && IsTradable(snap.MarketTicker))
                        {
                            await PostSnapshotAsync(sink, market, snap, cancellationToken).ConfigureAwait(false);
                            gotSnapshot = true;
                            lock (_gate) _awaitingSnapshot.Remove(snap.MarketTicker);
                            UpdateState();
                        }
                        break;
                    case KalshiOrderbookDelta delta:
                        await OnDeltaAsync(socket, sink, markets, tracker, tickersBySid, delta, () => nextId++, cancellationToken).ConfigureAwait(false);
                        break;
                    case KalshiTrade trade:
                        lock (_gate) _lastTrades[trade.MarketTicker] = new KalshiLastTrade(trade.MarketTicker, trade.YesPrice, trade.Count, trade.TakerSide, trade.Timestamp);
                        break;
                    case KalshiTicker ticker when ticker.LastPrice is { } last:
                        lock (_gate)
                        {
                            // A ticker only says the last price; keep the size and side a trade message gave for that price.
                            var known = _lastTrades.GetValueOrDefault(ticker.MarketTicker);
                            if (known is null || known.YesPrice != last) _lastTrades[ticker.MarketTicker] = new KalshiLastTrade(ticker.MarketTicker, last, null, null, ticker.Timestamp);
                        }
                        break;
                    case KalshiMarketLifecycle lifecycle:
                        await OnLifecycleAsync(socket, sink, markets, tickersBySid, lifecycle, () => nextId++, cancellationToken).ConfigureAwait(false);
                        break;
                    case KalshiError error:
                        _logger.LogWarning("Kalshi WebSocket error {Code} for command {Id}: {Message}", error.Code, error.Id, error.Message);
                        break;
                }
            }
        }
        finally
        {
            await connectionEnd.CancelAsync().ConfigureAwait(false);
            try
            {
                await heartbeats.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task OnDeltaAsync(
        ClientWebSocket socket,
        IBookEventSink sink,
        Dictionary<string, Market> markets,
        KalshiSequenceTracker tracker,
        Dictionary<long, List<string>> tickersBySid,
        KalshiOrderbookDelta delta,
        Func<long> nextId,
        CancellationToken cancellationToken)
    {
        var verdict = tracker.Observe(delta.Sid, delta.Seq);
        if (verdict.Verdict == KalshiSequenceVerdict.Gap)
        {
            Interlocked.Increment(ref _gaps);
            var tickers = tickersBySid.TryGetValue(delta.Sid, out var list) ? list : [delta.MarketTicker];
            _logger.LogWarning("Kalshi orderbook_delta sid {Sid}: expected seq {Expected}, got {Seq}; asking for fresh snapshots of {Count} markets", delta.Sid, verdict.Expected, delta.Seq, tickers.Count);
            lock (_gate) _awaitingSnapshot.UnionWith(tickers);
            SetState(FeedState.Degraded);
            foreach (var ticker in tickers)
            {
                if (!markets.TryGetValue(ticker, out var m)) continue;
                await sink.PostAsync(BookEvent.Stale(m.Yes, StaleReason.SequenceGap), cancellationToken).ConfigureAwait(false);
                await sink.PostAsync(BookEvent.Stale(m.No, StaleReason.SequenceGap), cancellationToken).ConfigureAwait(false);
            }
            await SendAsync(socket, KalshiParser.GetSnapshotCommand(nextId(), delta.Sid, tickers), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (verdict.Verdict != KalshiSequenceVerdict.Accepted) return;
        if (!markets.TryGetValue(delta.MarketTicker, out var market)) return;
        lock (_gate)
        {
            if (_awaitingSnapshot.Contains(delta.MarketTicker) || _closed.Contains(delta.MarketTicker)) return;
        }
        var venueTicks = delta.Timestamp?.UtcTicks ?? 0;
        // A YES bid at p is a NO ask at 1 − p (and the reverse): one venue level moves two of our books.
        var (bidBook, askBook) = delta.Side == KalshiSide.Yes ? (market.Yes, market.No) : (market.No, market.Yes);
        await sink.PostAsync(BookEvent.AddLevel(bidBook, BookSide.Bid, delta.Price, delta.Delta, delta.Seq, venueTicks), cancellationToken).ConfigureAwait(false);
        await sink.PostAsync(BookEvent.AddLevel(askBook, BookSide.Ask, delta.Price.Complement, delta.Delta, delta.Seq, venueTicks), cancellationToken).ConfigureAwait(false);
        var late = delta.Timestamp is { } ts && _time.GetUtcNow() - ts > _options.MaxMessageAge;
        lock (_gate) _lagging = late;
        if (late)
        {
            await sink.PostAsync(BookEvent.Stale(market.Yes, StaleReason.Age), cancellationToken).ConfigureAwait(false);
            await sink.PostAsync(BookEvent.Stale(market.No, StaleReason.Age), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OnLifecycleAsync(
        ClientWebSocket socket,
        IBookEventSink sink,
        Dictionary<string, Market> markets,
        Dictionary<long, List<string>> tickersBySid,
        KalshiMarketLifecycle lifecycle,
        Func<long> nextId,
        CancellationToken cancellationToken)
    {
        if (!markets.TryGetValue(lifecycle.MarketTicker, out var market)) return;
        if (lifecycle.StopsTrading)
        {
            bool changed;
            lock (_gate)
            {
                changed = _closed.Add(market.MarketKey);
                _awaitingSnapshot.Remove(market.MarketKey);
            }
            if (!changed) return;
            UpdateState();
            _logger.LogInformation("Kalshi market {Ticker} stopped trading ({Event})", market.MarketKey, lifecycle.EventType);
            // An empty, stale book: no strategy prices it and no paper order fills against it.
            await sink.PostAsync(BookEvent.Clear(market.Yes, StaleReason.NoSnapshot), cancellationToken).ConfigureAwait(false);
            await sink.PostAsync(BookEvent.Clear(market.No, StaleReason.NoSnapshot), cancellationToken).ConfigureAwait(false);
            TradabilityChanged?.Invoke(market.MarketKey, false);
        }
        else if (lifecycle.StartsTrading)
        {
            bool changed;
            lock (_gate)
            {
                changed = _closed.Remove(market.MarketKey);
                if (changed) _awaitingSnapshot.Add(market.MarketKey);
            }
            if (!changed) return;
            _logger.LogInformation("Kalshi market {Ticker} trades again; asking for a fresh snapshot", market.MarketKey);
            var sid = tickersBySid.FirstOrDefault(e => e.Value.Contains(market.MarketKey)).Key;
            if (sid != 0) await SendAsync(socket, KalshiParser.GetSnapshotCommand(nextId(), sid, [market.MarketKey]), cancellationToken).ConfigureAwait(false);
            TradabilityChanged?.Invoke(market.MarketKey, true);
        }
    }

    private static async Task PostSnapshotAsync(IBookEventSink sink, Market market, KalshiOrderbookSnapshot snap, CancellationToken cancellationToken)
    {
        var book = snap.Book;
        await sink.PostAsync(BookEvent.Snapshot(market.Yes, [.. book.YesBids], [.. book.YesAsks], snap.Seq), cancellationToken).ConfigureAwait(false);
        await sink.PostAsync(BookEvent.Snapshot(market.No, [.. book.NoBids], [.. book.NoAsks], snap.Seq), cancellationToken).ConfigureAwait(false);
    }

    private async Task HeartbeatAsync(IBookEventSink sink, Dictionary<string, Market> markets, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            List<Market> fresh;
            lock (_gate)
            {
                if (_lagging) continue;
                fresh = [.. markets.Values.Where(m => !_awaitingSnapshot.Contains(m.MarketKey) && !_closed.Contains(m.MarketKey))];
            }
            foreach (var m in fresh)
            {
                // TryPost: a heartbeat is worth nothing if the hub is backed up, and must never hold up the feed.
                sink.TryPost(BookEvent.Heartbeat(m.Yes));
                sink.TryPost(BookEvent.Heartbeat(m.No));
            }
        }
    }

    private async Task MarkAllAsync(IBookEventSink sink, StaleReason reason, CancellationToken cancellationToken)
    {
        foreach (var m in Markets)
        {
            await sink.PostAsync(BookEvent.Stale(m.Yes, reason), cancellationToken).ConfigureAwait(false);
            await sink.PostAsync(BookEvent.Stale(m.No, reason), cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task SendAsync(ClientWebSocket socket, string command, CancellationToken cancellationToken) =>
        socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(command), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private void UpdateState()
    {
        bool allLive;
        lock (_gate) allLive = _awaitingSnapshot.Count == 0;
        SetState(allLive ? FeedState.Live : FeedState.Degraded);
    }

    private void Touch() => Interlocked.Exchange(ref _lastMessageUtcTicks, _time.GetUtcNow().UtcTicks);

    private void SetState(FeedState state) => Volatile.Write(ref _state, (int)state);
}
