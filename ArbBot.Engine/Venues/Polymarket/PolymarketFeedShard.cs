using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues.Transport;
using Microsoft.Extensions.Logging;

namespace ArbBot.Engine.Venues.Polymarket;

/// <summary>
/// One market-channel connection of <see cref="PolymarketMarketDataFeed"/> and the markets it carries: connect,
/// subscribe, rehydrate over REST, apply frames, keep alive with text PING, watch for a freeze, and reconnect with
/// jittered exponential backoff. Frames are read by a reader task into a channel; everything else runs on this
/// shard's loop, which alone touches its book mirrors.
/// </summary>
public sealed class PolymarketFeedShard
{
    // POST /books takes a list; a few hundred tokens per request keeps each answer small.
    private const int TokensPerBooksRequest = 100;

    private readonly InstrumentRegistry _registry;
    private readonly PolymarketOptions _options;
    private readonly PolymarketRestClient _rest;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RetryDelays _reconnectDelays;
    private readonly Action _touch;
    private readonly Dictionary<string, PolymarketBookMirror> _books = new(StringComparer.Ordinal);
    private long _connections;
    private long _ghosts;
    private long _freezes;
    private long _desyncs;
    private long _lastTrades;
    private int _state = (int)FeedState.Connecting;
    // Per connection, on the loop only; monotonic time since _origin, so a wall-clock jump is not mistaken for silence.
    private readonly long _origin;
    private TimeSpan _lastDataAt;
    private TimeSpan _lastConfirmedAt;
    private TimeSpan _lastFrameAt;
    private TimeSpan _lastProbeAt;
    private bool _lagging;
    private bool _topOfBookChecks = true;
    private readonly Dictionary<string, TimeSpan> _lastResyncAt = new(StringComparer.Ordinal);

    internal PolymarketFeedShard(int number, IEnumerable<Market> markets, InstrumentRegistry registry, PolymarketOptions options, PolymarketRestClient rest,
        TimeProvider time, ILogger logger, Random random, Action touch)
    {
        Number = number;
        _registry = registry;
        _options = options;
        _rest = rest;
        _time = time;
        _logger = logger;
        _touch = touch;
        _reconnectDelays = new RetryDelays(options.RetryBaseDelay, options.RetryMaxDelay, random);
        _origin = time.GetTimestamp();
        foreach (var m in markets)
        {
            _books[registry[m.Yes].Symbol] = new PolymarketBookMirror(registry[m.Yes].Symbol, m, isYes: true);
            _books[registry[m.No].Symbol] = new PolymarketBookMirror(registry[m.No].Symbol, m, isYes: false);
        }
        Tokens = [.. _books.Keys];
    }

    /// <summary>1 for the first connection of the feed, 2 for the next…</summary>
    public int Number { get; }

    /// <summary>The tokens this connection subscribes (both of each market).</summary>
    public IReadOnlyList<string> Tokens { get; }

    public FeedState State => (FeedState)Volatile.Read(ref _state);

    public long Connections => Interlocked.Read(ref _connections);

    public long GhostBooksRejected => Interlocked.Read(ref _ghosts);

    public long FreezesDetected => Interlocked.Read(ref _freezes);

    public long Desyncs => Interlocked.Read(ref _desyncs);

    public long LastTrades => Interlocked.Read(ref _lastTrades);

    internal async Task RunAsync(IBookEventSink sink, CancellationToken cancellationToken)
    {
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
            catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or OperationCanceledException or InvalidOperationException or ChannelClosedException)
            {
                _logger.LogWarning("Polymarket connection {Shard} lost: {Reason}", Number, ex.Message);
            }
            catch (Exception ex)
            {
                // A defect or a frame no one foresaw must cost one connection (books stale, then rebuilt from the
                // initial dump), never the shard: a shard that died here would leave its books stale for good.
                _logger.LogError(ex, "Polymarket connection {Shard}: unexpected failure; reconnecting", Number);
            }
            SetState(FeedState.Disconnected);
            foreach (var book in _books.Values.Where(b => !b.Resolved))
            {
                book.AwaitingBook = true;
                await sink.PostAsync(BookEvent.Stale(book.Instrument, StaleReason.Disconnected), cancellationToken).ConfigureAwait(false);
            }
            // A connection that delivered books resets the backoff: the next drop is a new incident.
            failures = gotData ? 0 : failures + 1;
            var delay = _reconnectDelays.Next(failures);
            _logger.LogInformation("Polymarket connection {Shard} reconnecting in {Delay}", Number, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One connection's life. True when it delivered at least one book.</summary>
    private async Task<bool> RunConnectionAsync(IBookEventSink sink, CancellationToken cancellationToken)
    {
        SetState(FeedState.Connecting);
        foreach (var book in _books.Values) book.AwaitingBook = !book.Resolved;
        using var socket = new ClientWebSocket();
        // The venue's keep-alive is the text PING below (with its own silence check), not WebSocket ping frames.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // A server that takes the TCP connection but never upgrades it must not hold the shard forever.
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(30));
            await socket.ConnectAsync(_options.MarketWebSocketUrl, connectTimeout.Token).ConfigureAwait(false);
        }
        Interlocked.Increment(ref _connections);
        var now = Now();
        _lastDataAt = _lastConfirmedAt = _lastFrameAt = _lastProbeAt = now;
        _lagging = false;
        _topOfBookChecks = true;
        _lastResyncAt.Clear();
        _touch();

        var live = LiveTokens();
        await SendAsync(socket, PolymarketParser.SubscribeCommand(live), cancellationToken).ConfigureAwait(false);

        using var connectionEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var frames = Channel.CreateUnbounded<PolymarketParseResult>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var reader = ReadFramesAsync(socket, frames.Writer, connectionEnd.Token);
        var gotBook = false;
        try
        {
            gotBook |= await RehydrateAsync(sink, live, "connect", cancellationToken).ConfigureAwait(false);
            UpdateState();
            var tick = Min(Min(_options.HeartbeatInterval, _options.PingInterval), _options.FreezeTimeout / 4);
            using var timer = new PeriodicTimer(tick, _time);
            var nextPing = now + _options.PingInterval;
            var nextHeartbeat = now + _options.HeartbeatInterval;
            Task<bool>? readTask = null;
            Task<bool>? tickTask = null;
            while (true)
            {
                while (frames.Reader.TryRead(out var frame))
                {
                    gotBook |= await HandleFrameAsync(socket, sink, frame, cancellationToken).ConfigureAwait(false);
                }
                if (frames.Reader.Completion.IsCompleted)
                {
                    await frames.Reader.Completion.ConfigureAwait(false);
                    return gotBook;
                }
                now = Now();
                if (now >= nextPing)
                {
                    nextPing = now + _options.PingInterval;
                    await SendAsync(socket, "PING", cancellationToken).ConfigureAwait(false);
                }
                // Not even a PONG for three pings: the peer is gone without closing.
                if (now - _lastFrameAt > _options.PingInterval * 3)
                {
                    _logger.LogWarning("Polymarket connection {Shard}: nothing heard for {Silence}, not even PONG; reconnecting", Number, now - _lastFrameAt);
                    socket.Abort();
                    return gotBook;
                }
                if (now - _lastDataAt >= _options.FreezeTimeout && now - _lastConfirmedAt >= _options.FreezeTimeout && now - _lastProbeAt >= _options.FreezeTimeout)
                {
                    _lastProbeAt = now;
                    switch (await IsFrozenAsync(sink, cancellationToken).ConfigureAwait(false))
                    {
                        case true:
                            socket.Abort();
                            return gotBook;
                        case false:
                            _lastConfirmedAt = Now();
                            break;
                        case null:
                            // REST could not say: nothing confirms the books, so the heartbeats stop and they go stale by age.
                            break;
                    }
                }
                if (now >= nextHeartbeat)
                {
                    nextHeartbeat = now + _options.HeartbeatInterval;
                    Heartbeat(sink, now);
                }
                readTask ??= frames.Reader.WaitToReadAsync(CancellationToken.None).AsTask();
                tickTask ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
                var done = await Task.WhenAny(readTask, tickTask).ConfigureAwait(false);
                if (done == readTask) readTask = null;
                else
                {
                    await tickTask.ConfigureAwait(false);
                    tickTask = null;
                }
            }
        }
        finally
        {
            await connectionEnd.CancelAsync().ConfigureAwait(false);
            socket.Abort();
            try
            {
                await reader.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task ReadFramesAsync(ClientWebSocket socket, ChannelWriter<PolymarketParseResult> frames, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        Exception? error = null;
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
                        _logger.LogWarning("Polymarket closed connection {Shard}: {Status} {Description}", Number, socket.CloseStatus, socket.CloseStatusDescription);
                        return;
                    }
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage);
                _touch();
                frames.TryWrite(PolymarketParser.Parse(buffer.WrittenSpan));
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            error = e;
        }
        finally
        {
            frames.TryComplete(error);
        }
    }

    /// <summary>Applies one frame; true when it carried a book that was applied.</summary>
    private async Task<bool> HandleFrameAsync(ClientWebSocket socket, IBookEventSink sink, PolymarketParseResult frame, CancellationToken cancellationToken)
    {
        _lastFrameAt = Now();
        if (!frame.IsSuccess)
        {
            _logger.LogWarning("Polymarket connection {Shard}: ignored a message that could not be read: {Reason}", Number, frame.Error);
            return false;
        }
        var gotBook = false;
        foreach (var message in frame.Messages)
        {
            if (message is not (PolymarketPongMessage or PolymarketIgnoredMessage)) _lastDataAt = _lastFrameAt;
            switch (message)
            {
                case PolymarketBookMessage book:
                    gotBook |= await ApplyBookAsync(sink, book, fromRest: false, cancellationToken).ConfigureAwait(false);
                    break;
                case PolymarketPriceChangeMessage change:
                    await ApplyPriceChangeAsync(sink, change, cancellationToken).ConfigureAwait(false);
                    break;
                case PolymarketBestBidAskMessage top:
                    if (_books.TryGetValue(top.AssetId, out var mirror) && !mirror.AwaitingBook && !mirror.Resolved && top.TimestampMs >= mirror.LastTimestampMs
                        && _topOfBookChecks && !mirror.TopMatches(top.BestBid, top.BestAsk))
                    {
                        await OnTopMismatchAsync(sink, mirror, $"best_bid_ask says {top.BestBid}/{top.BestAsk}, our book {mirror.BestBid}/{mirror.BestAsk}", cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case PolymarketTickSizeChangeMessage tick:
                    await ApplyTickSizeAsync(sink, tick, cancellationToken).ConfigureAwait(false);
                    break;
                case PolymarketLastTradePriceMessage:
                    Interlocked.Increment(ref _lastTrades);
                    break;
                case PolymarketMarketResolvedMessage resolved:
                    await ResolveAsync(socket, sink, resolved, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        return gotBook;
    }

    private async Task<bool> ApplyBookAsync(IBookEventSink sink, PolymarketBookMessage book, bool fromRest, CancellationToken cancellationToken)
    {
        if (!_books.TryGetValue(book.AssetId, out var mirror) || mirror.Resolved) return false;
        // An older book than the one we hold (a REST answer overtaken by the socket, or the reverse) is history.
        if (book.TimestampMs < mirror.LastTimestampMs) return false;
        var bad = book.Bids.Concat(book.Asks).Where(l => !Price.TryFromDecimal(l.Price, out _)).Select(l => (decimal?)l.Price).FirstOrDefault();
        if (bad is not null)
        {
            _logger.LogWarning("Polymarket book for {Market} token {Token} refused: price {Price} is not a probability on the 0.0001 grid", mirror.Market.Title, Short(book.AssetId), bad);
            return false;
        }
        if (PolymarketBookMirror.IsGhost(book))
        {
            Interlocked.Increment(ref _ghosts);
            _logger.LogWarning(
                "Polymarket book for {Market} token {Token} refused ({Source}): a ghost book (best bid ≤ {Bid}, best ask ≥ {Ask}) on a market that is trading cannot be real; the book stays stale until a real one arrives",
                mirror.Market.Title, Short(book.AssetId), fromRest ? "REST" : "WebSocket", PolymarketBookMirror.GhostBid, PolymarketBookMirror.GhostAsk);
            mirror.AwaitingBook = true;
            await sink.PostAsync(BookEvent.Stale(mirror.Instrument, StaleReason.Bogus), cancellationToken).ConfigureAwait(false);
            UpdateState();
            // The socket's books are sometimes ghosts where REST is not: ask once (never loop on a ghost from REST).
            if (!fromRest) await RehydrateAsync(sink, [mirror.TokenId], "ghost book", cancellationToken).ConfigureAwait(false);
            return false;
        }
        mirror.Replace(book);
        var (bids, asks) = mirror.Levels();
        var venueTicks = VenueTicks(book.TimestampMs);
        // No age check here: a full book is the venue's current state even when its last change (and stamp) is old.
        await sink.PostAsync(BookEvent.Snapshot(mirror.Instrument, bids, asks, 0, venueTicks), cancellationToken).ConfigureAwait(false);
        UpdateState();
        return true;
    }

    private async Task ApplyPriceChangeAsync(IBookEventSink sink, PolymarketPriceChangeMessage message, CancellationToken cancellationToken)
    {
        var venueTicks = VenueTicks(message.TimestampMs);
        // Per token, the top of book the venue states with its last change of this message.
        Dictionary<PolymarketBookMirror, (decimal? Bid, decimal? Ask)>? touched = null;
        foreach (var change in message.Changes)
        {
            if (!_books.TryGetValue(change.AssetId, out var mirror) || mirror.AwaitingBook || mirror.Resolved) continue;
            if (message.TimestampMs < mirror.LastTimestampMs) continue;
            if (!Price.TryFromDecimal(change.Price, out var price))
            {
                await ResyncAsync(sink, mirror, $"price_change at {change.Price}, not a probability on the 0.0001 grid", cancellationToken).ConfigureAwait(false);
                continue;
            }
            mirror.Set(change.Side, change.Price, change.Size);
            mirror.LastTimestampMs = message.TimestampMs;
            var side = change.Side == Side.Buy ? BookSide.Bid : BookSide.Ask;
            await sink.PostAsync(BookEvent.SetLevel(mirror.Instrument, side, price, change.Size, 0, venueTicks), cancellationToken).ConfigureAwait(false);
            (touched ??= [])[mirror] = (change.BestBid, change.BestAsk);
        }
        foreach (var (mirror, (bid, ask)) in touched ?? [])
        {
            // Rebuilt from REST since (its sibling disagreed): this message's statement about it is history.
            if (mirror.AwaitingBook || mirror.LastTimestampMs > message.TimestampMs) continue;
            // The batched format states the top of book after the changes: a disagreement means we missed a message.
            // Checked once per message, after all its changes, so the order of entries inside a batch cannot mislead it.
            if (_topOfBookChecks && !mirror.TopMatches(bid, ask))
            {
                await OnTopMismatchAsync(sink, mirror, $"price_change says best {bid}/{ask}, our book {mirror.BestBid}/{mirror.BestAsk}", cancellationToken).ConfigureAwait(false);
                continue;
            }
            await CheckAgeAsync(sink, mirror, message.TimestampMs, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A stated top of book that disagrees with ours: rebuild the book from REST. If the same market disagrees again right
    /// after REST agreed with us, the venue's stated tops do not mean what we read them to mean: stop checking them on
    /// this connection (and say so) rather than hammer REST; the freeze watchdog still compares books with REST.
    /// </summary>
    private async Task OnTopMismatchAsync(IBookEventSink sink, PolymarketBookMirror mirror, string why, CancellationToken cancellationToken)
    {
        var now = Now();
        if (_lastResyncAt.TryGetValue(mirror.Market.MarketKey, out var last) && now - last < _options.FreezeTimeout)
        {
            _topOfBookChecks = false;
            _logger.LogWarning("Polymarket connection {Shard}: {Market} disagrees again with the venue's stated best bid/ask right after a rebuild ({Why}); no longer checking stated tops on this connection", Number, mirror.Market.Title, why);
            return;
        }
        _lastResyncAt[mirror.Market.MarketKey] = now;
        await ResyncAsync(sink, mirror, why, cancellationToken).ConfigureAwait(false);
    }

    private async Task ApplyTickSizeAsync(IBookEventSink sink, PolymarketTickSizeChangeMessage message, CancellationToken cancellationToken)
    {
        if (!_books.TryGetValue(message.AssetId, out var mirror) || mirror.Resolved) return;
        if (!TickSize.TryFromDecimal(message.NewTickSize, out var tick))
        {
            _logger.LogWarning("Polymarket tick_size_change for {Market} ignored: {Tick} is not a tick size", mirror.Market.Title, message.NewTickSize);
            return;
        }
        var market = mirror.Market;
        if (market.TickSize == tick) return;
        // The registry's market is what order rounding reads; the hub's books get the same tick in stream order.
        var updated = _registry.AddMarket(market with { TickSize = tick }, _registry[market.Yes].Symbol, _registry[market.No].Symbol);
        foreach (var m in _books.Values.Where(b => b.Market.MarketKey == market.MarketKey)) m.Market = updated;
        await sink.PostAsync(BookEvent.TickSizeChange(updated.Yes, tick), cancellationToken).ConfigureAwait(false);
        await sink.PostAsync(BookEvent.TickSizeChange(updated.No, tick), cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Polymarket {Market}: tick size {Old} → {New}", market.Title, message.OldTickSize, message.NewTickSize);
    }

    private async Task ResolveAsync(ClientWebSocket socket, IBookEventSink sink, PolymarketMarketResolvedMessage message, CancellationToken cancellationToken)
    {
        var mirrors = _books.Values.Where(b => b.Market.MarketKey == message.Market && !b.Resolved).ToList();
        if (mirrors.Count == 0) return;
        foreach (var mirror in mirrors)
        {
            mirror.Resolved = true;
            mirror.AwaitingBook = false;
            mirror.Clear();
            await sink.PostAsync(BookEvent.Clear(mirror.Instrument, StaleReason.Closed), cancellationToken).ConfigureAwait(false);
        }
        _logger.LogInformation("Polymarket {Market} resolved ({Outcome}); it is no longer streamed or traded", mirrors[0].Market.Title, message.WinningOutcome ?? "outcome not stated");
        await SendAsync(socket, PolymarketParser.UnsubscribeCommand(mirrors.Select(m => m.TokenId)), cancellationToken).ConfigureAwait(false);
        UpdateState();
    }

    /// <summary>
    /// A lost message: the market's books (both tokens: they are one order book seen from two sides) are marked stale
    /// together, then rebuilt together from REST, so neither is ever shown fresh while the other is known wrong.
    /// </summary>
    private async Task ResyncAsync(IBookEventSink sink, PolymarketBookMirror mirror, string why, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _desyncs);
        _logger.LogWarning("Polymarket {Market} token {Token} out of step with the venue ({Why}); rebuilding the market's books from REST", mirror.Market.Title, Short(mirror.TokenId), why);
        var market = _books.Values.Where(b => b.Market.MarketKey == mirror.Market.MarketKey && !b.Resolved).ToList();
        foreach (var book in market)
        {
            book.AwaitingBook = true;
            await sink.PostAsync(BookEvent.Stale(book.Instrument, StaleReason.SequenceGap), cancellationToken).ConfigureAwait(false);
        }
        UpdateState();
        await RehydrateAsync(sink, [.. market.Select(b => b.TokenId)], "resync", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches books over REST (POST /books) and applies the ones newer than ours. True when one was applied.</summary>
    private async Task<bool> RehydrateAsync(IBookEventSink sink, IReadOnlyList<string> tokens, string why, CancellationToken cancellationToken)
    {
        var applied = false;
        foreach (var batch in tokens.Chunk(TokensPerBooksRequest))
        {
            var books = await FetchBooksAsync(batch, why, cancellationToken).ConfigureAwait(false);
            foreach (var book in books ?? [])
            {
                applied |= await ApplyBookAsync(sink, book, fromRest: true, cancellationToken).ConfigureAwait(false);
            }
        }
        return applied;
    }

    private async Task<IReadOnlyList<PolymarketBookMessage>?> FetchBooksAsync(IReadOnlyList<string> tokens, string why, CancellationToken cancellationToken)
    {
        try
        {
            var body = "[" + string.Join(",", tokens.Select(t => $"{{\"token_id\":{System.Text.Json.JsonSerializer.Serialize(t)}}}")) + "]";
            var text = await _rest.ClobPostAsync("/books", body, cancellationToken).ConfigureAwait(false);
            var parsed = PolymarketParser.ParseRestBooks(text);
            if (parsed.IsSuccess) return [.. parsed.Messages.OfType<PolymarketBookMessage>()];
            _logger.LogWarning("Polymarket POST /books ({Why}) answered a body that could not be read: {Reason}", why, parsed.Error);
        }
        catch (Exception e) when (e is PolymarketApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Polymarket POST /books ({Why}) failed: {Reason}; the socket's books will have to do", why, e.Message);
        }
        return null;
    }

    /// <summary>
    /// The watchdog's check after a silence: true (books marked stale) when REST shows the venue moved without us, false
    /// when REST agrees with every book, null when REST could not be asked.
    /// </summary>
    private async Task<bool?> IsFrozenAsync(IBookEventSink sink, CancellationToken cancellationToken)
    {
        var tokens = _books.Values.Where(b => !b.Resolved && !b.AwaitingBook).Select(b => b.TokenId).ToList();
        if (tokens.Count == 0) return false;
        var moved = new List<PolymarketBookMirror>();
        foreach (var batch in tokens.Chunk(TokensPerBooksRequest))
        {
            var books = await FetchBooksAsync(batch, "freeze check", cancellationToken).ConfigureAwait(false);
            if (books is null) return null;
            foreach (var book in books)
            {
                if (_books.TryGetValue(book.AssetId, out var mirror) && book.TimestampMs > mirror.LastTimestampMs && !mirror.SameLevels(book)) moved.Add(mirror);
            }
        }
        if (moved.Count == 0) return false;
        Interlocked.Increment(ref _freezes);
        _logger.LogWarning(
            "Polymarket connection {Shard} is frozen: no book data for {Silence} while the venue's book moved for {Count} token(s) (e.g. {Market}); marking its books stale and reconnecting",
            Number, Now() - _lastDataAt, moved.Count, moved[0].Market.Title);
        foreach (var book in _books.Values.Where(b => !b.Resolved))
        {
            book.AwaitingBook = true;
            await sink.PostAsync(BookEvent.Stale(book.Instrument, StaleReason.Age), cancellationToken).ConfigureAwait(false);
        }
        SetState(FeedState.Degraded);
        return true;
    }

    /// <summary>A change the venue stamped longer ago than MaxMessageAge is applied (the book must stay whole) but leaves the book stale: old news is not news.</summary>
    private async Task CheckAgeAsync(IBookEventSink sink, PolymarketBookMirror mirror, long timestampMs, CancellationToken cancellationToken)
    {
        var late = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(timestampMs) > _options.MaxMessageAge;
        _lagging = late;
        if (late) await sink.PostAsync(BookEvent.Stale(mirror.Instrument, StaleReason.Age), cancellationToken).ConfigureAwait(false);
    }

    private void Heartbeat(IBookEventSink sink, TimeSpan now)
    {
        // Only while this connection is known good: data or a REST check within the freeze timeout, and not running late.
        if (_lagging) return;
        var confirmed = _lastDataAt > _lastConfirmedAt ? _lastDataAt : _lastConfirmedAt;
        if (now - confirmed >= _options.FreezeTimeout) return;
        foreach (var book in _books.Values)
        {
            // TryPost: a heartbeat is worth nothing if the hub is backed up, and must never hold up the feed.
            if (!book.AwaitingBook && !book.Resolved) sink.TryPost(BookEvent.Heartbeat(book.Instrument));
        }
    }

    private TimeSpan Now() => _time.GetElapsedTime(_origin);

    private List<string> LiveTokens() => [.. _books.Values.Where(b => !b.Resolved).Select(b => b.TokenId)];

    private void UpdateState()
    {
        if (State is FeedState.Disconnected) return;
        SetState(_books.Values.Any(b => b.AwaitingBook && !b.Resolved) ? FeedState.Degraded : FeedState.Live);
    }

    private void SetState(FeedState state) => Volatile.Write(ref _state, (int)state);

    private static long VenueTicks(long timestampMs) =>
        timestampMs is > 0 and < 253_402_300_799_999 ? DateTimeOffset.FromUnixTimeMilliseconds(timestampMs).UtcTicks : 0;

    private static Task SendAsync(ClientWebSocket socket, string text, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static string Short(string token) => token.Length <= 12 ? token : token[..6] + "…" + token[^4..];

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
