using System.Globalization;
using ArbBot.Engine.Core;
using ArbBot.Engine.MarketData;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ArbBot.Engine.Recording;

/// <summary>Where and how the hub's book events are recorded.</summary>
public sealed record BookEventRecorderOptions
{
    /// <summary>The folder the recording files go to (created when missing).</summary>
    public required string Directory { get; init; }

    /// <summary>A new file is started once the current one holds this many compressed bytes. 1 MiB–64 GiB, default 256 MiB.</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;

    /// <summary>A new file is started once the current one is this old (recorder clock). 1 min–1 day, default 1 h.</summary>
    public TimeSpan MaxFileAge { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Events the hub can hand over before the writer catches up; beyond it events are dropped and counted. Power of two, default 65,536.</summary>
    public int BufferCapacity { get; init; } = 65_536;

    /// <summary>Brotli quality 0–11; default 1 (fast enough for a live hub on one core).</summary>
    public int Quality { get; init; } = 1;

    /// <summary>Pending events are written to disk at least this often, so a crash loses little. Default 1 s.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After storage fails (disk full, permissions), recording pauses this long (events dropped and counted) before a new
    /// file is tried; each further failure in a row doubles the pause, up to 16 times this. Default 5 s.
    /// </summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Opens a new recording file for writing; null opens a <see cref="FileStream"/> (tests inject failing storage here).</summary>
    public Func<string, Stream>? OpenStream { get; init; }

    /// <summary>
    /// The approved pairs right now, read on the writer thread (must be thread-safe): every file's catalog carries them,
    /// and a change is written as a catalog block, so any single file replays with the pairs traded at the time.
    /// </summary>
    public Func<IReadOnlyList<RecordedPair>>? Pairs { get; init; }

    /// <summary>
    /// The desk's id state when a file starts (read on the writer thread): its paper order id token and the last
    /// opportunity id handed out. Written at the start of every file so a replay issues the same ids.
    /// </summary>
    public Func<(string PaperIdToken, long LastOpportunityId)>? DeskIds { get; init; }
}

/// <summary>
/// Records every book event the hub applies to compressed rotating files without ever blocking the hub: the hub copies
/// each event into a bounded single-producer ring, and a background thread drains it through a
/// <see cref="RecordingWriter"/>. When storage cannot keep up and the ring is full, events are dropped and counted in
/// <see cref="Dropped"/> (the recording then has a gap; the live desk is unaffected). Each file starts with the full
/// instrument catalog, and markets discovered later are written before the events that use them.
/// </summary>
public sealed class BookEventRecorder : IBookEventRecorder, IDisposable
{
    private readonly BookEventRecorderOptions _options;
    private readonly InstrumentRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RecordedBookEvent[] _ring;
    private readonly int _mask;
    private readonly Thread _thread;
    private readonly ManualResetEventSlim _stopping = new(false);
    private readonly List<string> _files = [];
    private long _head;
    private long _tail;
    private long _dropped;
    private long _written;
    private long _failures;
    private RecordingWriter? _writer;
    private DateTimeOffset _fileOpenedAt;
    private int _catalogInstruments;
    // Writer thread only: the pause after a storage failure, and how many failures in a row.
    private DateTimeOffset _retryAt;
    private int _failuresInRow;
    private long _droppedAtPause;
    private volatile string? _problem;
    private IReadOnlyList<RecordedPair>? _catalogPairs;
    private long _gapReported;
    private readonly Dictionary<Type, uint> _workTags = [];
    private long _lastReceived;
    private bool _firstIdsTaken;
    private (string PaperIdToken, long LastOpportunityId)? _firstIds;
    private IReadOnlyList<RecordedPair>? _firstPairs;
    private IReadOnlyList<RecordedPair>? _hubPairs;

    public BookEventRecorder(BookEventRecorderOptions options, InstrumentRegistry registry, TimeProvider time, ILogger<BookEventRecorder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BufferCapacity < 2 || (options.BufferCapacity & (options.BufferCapacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BufferCapacity, "The recorder's buffer capacity must be a power of two of at least 2.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFileBytes, 1L << 20);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxFileAge, TimeSpan.FromMinutes(1));
        _options = options;
        _registry = registry;
        _time = time;
        _logger = logger ?? NullLogger<BookEventRecorder>.Instance;
        _ring = new RecordedBookEvent[options.BufferCapacity];
        _mask = options.BufferCapacity - 1;
        try
        {
            System.IO.Directory.CreateDirectory(options.Directory);
        }
        // An unusable folder stops recording, never the desk: the failure is said once and opening is retried later.
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Fail(ex);
        }
        _thread = new Thread(Drain) { IsBackground = true, Name = "ArbBot book recorder", Priority = ThreadPriority.BelowNormal };
        _thread.Start();
    }

    /// <summary>Events dropped because the buffer was full (storage too slow or failing).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Events handed to the file writer.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Failed writes (each closes the file; the next event opens a new one).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Why recording is paused (the storage error, e.g. "No space left on device"), or null while it records.</summary>
    public string? Problem => _problem;

    /// <summary>Every file started so far, oldest first.</summary>
    public IReadOnlyList<string> Files
    {
        get
        {
            lock (_files) return [.. _files];
        }
    }

    /// <summary>Hub thread: copies the event into the ring, or counts a drop when the ring is full. Never blocks.</summary>
    public void Record(in BookEvent bookEvent, long receivedUtcTicks)
    {
        if (bookEvent.Kind == BookEventKind.Work) return;
        Enqueue(in bookEvent, receivedUtcTicks);
    }

    /// <summary>Hub thread: notes where the hub ran queued work (a replay runs its own work at the same point). Never blocks.</summary>
    public void RecordHubWork(IHubWork work, long utcTicks) => Enqueue(BookEvent.Run(work), utcTicks);

    /// <summary>Hub thread: notes that the last record made the hub run <paramref name="count"/> items of its own work right after it.</summary>
    public void RecordOwnWork(int count, long utcTicks) => Enqueue(new BookEvent { Kind = BookEventKind.Work, Sequence = count }, utcTicks);

    private void Enqueue(in BookEvent bookEvent, long receivedUtcTicks)
    {
        // The ids at the very first record are taken on the hub thread, before that record is acted on: exact for the
        // run's first file (what a parity replay starts from); later files take them when they open.
        if (!_firstIdsTaken)
        {
            _firstIds = _options.DeskIds?.Invoke();
            _hubPairs = _firstPairs = _options.Pairs?.Invoke();
            _firstIdsTaken = true;
        }
        else if (_options.Pairs is { } source && source() is { } pairs && !ReferenceEquals(pairs, _hubPairs))
        {
            // Noticed on the hub thread, before the record it precedes: a replay applies the change at the same point.
            _hubPairs = pairs;
            EnqueueSlot(BookEvent.Run(new PairsChanged(pairs)), receivedUtcTicks);
        }
        EnqueueSlot(in bookEvent, receivedUtcTicks);
    }

    /// <summary>The approved pairs changed (hub thread noticed); written as a catalog block at this point.</summary>
    private sealed class PairsChanged(IReadOnlyList<RecordedPair> pairs) : IHubWork
    {
        public IReadOnlyList<RecordedPair> Pairs { get; } = pairs;

        public void Execute(MarketDataHub hub)
        {
        }
    }

    private void EnqueueSlot(in BookEvent bookEvent, long receivedUtcTicks)
    {
        var head = _head;
        if (head - Volatile.Read(ref _tail) >= _ring.Length)
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        _ring[head & _mask] = new RecordedBookEvent(bookEvent, receivedUtcTicks);
        Volatile.Write(ref _head, head + 1);
    }

    /// <summary>Writes everything recorded so far and closes the current file (with its end block). Idempotent.</summary>
    public void Dispose()
    {
        if (_stopping.IsSet) return;
        _stopping.Set();
        _thread.Join();
        _stopping.Dispose();
    }

    private void Drain()
    {
        var lastFlush = _time.GetUtcNow();
        while (true)
        {
            var stopping = _stopping.IsSet;
            var head = Volatile.Read(ref _head);
            var tail = _tail;
            while (tail < head)
            {
                var slot = _ring[tail & _mask];
                _ring[tail & _mask] = default; // let snapshot arrays go
                Volatile.Write(ref _tail, ++tail);
                WriteOne(in slot);
            }
            var now = _time.GetUtcNow();
            if (_writer is not null && (stopping || now - lastFlush >= _options.FlushInterval))
            {
                Guard(() => _writer.Flush());
                lastFlush = now;
            }
            if (stopping)
            {
                // Drops after the last written event still leave their mark at the end of the file.
                var dropped = Interlocked.Read(ref _dropped);
                if (_writer is not null && dropped > _gapReported)
                {
                    Guard(() => _writer.WriteControl(RecordingControlKind.Gap, dropped - _gapReported, _lastReceived));
                    _gapReported = dropped;
                }
                CloseFile();
                return;
            }
            _stopping.Wait(TimeSpan.FromMilliseconds(5));
        }
    }

    private void WriteOne(in RecordedBookEvent recorded)
    {
        var now = _time.GetUtcNow();
        if (_problem is not null && now < _retryAt)
        {
            // Paused after a storage failure: trying again on every event would open a file per event and log a storm.
            Interlocked.Increment(ref _dropped);
            return;
        }
        try
        {
            if (_writer is not null && (_writer.BytesWritten >= _options.MaxFileBytes || now - _fileOpenedAt >= _options.MaxFileAge)) CloseFile();
            if (_writer is null) OpenFile(now);
            var writer = _writer!;
            var known = _registry.Count;
            if (known > _catalogInstruments)
            {
                writer.WriteCatalog(RecordingCatalog.From(_registry, _catalogInstruments));
                _catalogInstruments = known;
            }
            // Said in the file, at the place it happened: the recording lacks events here.
            var dropped = Interlocked.Read(ref _dropped);
            if (dropped > _gapReported)
            {
                writer.WriteControl(RecordingControlKind.Gap, dropped - _gapReported, _lastReceived);
                _logger.LogWarning("The book recorder fell behind and dropped {Count} events; the recording says so at that point", dropped - _gapReported);
                _gapReported = dropped;
            }
            var e = recorded.Event;
            if (e.Work is PairsChanged changed)
            {
                writer.WriteCatalog(RecordingCatalog.From(_registry, known, changed.Pairs));
                _catalogPairs = changed.Pairs;
            }
            else if (e.Kind == BookEventKind.Work)
            {
                if (e.Work is { } work)
                {
                    if (!_workTags.TryGetValue(work.GetType(), out var tag)) _workTags[work.GetType()] = tag = RecordingFormat.WorkTag(work.GetType());
                    writer.WriteControl(RecordingControlKind.HubWork, tag, recorded.ReceivedUtcTicks);
                }
                else
                {
                    writer.WriteControl(RecordingControlKind.OwnWork, e.Sequence, recorded.ReceivedUtcTicks);
                }
            }
            else
            {
                writer.Write(in recorded);
                Interlocked.Increment(ref _written);
            }
            if (_problem is not null) Resumed();
            _lastReceived = recorded.ReceivedUtcTicks;
        }
        // Any storage failure, foreseen or not: this runs on a thread of its own, where an escaping exception ends the process.
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _dropped);
            Fail(ex);
        }
    }

    private void OpenFile(DateTimeOffset now)
    {
        string path;
        lock (_files)
        {
            path = Path.Combine(_options.Directory,
                $"book-events-{now.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{_files.Count + 1:D4}{RecordingFormat.FileExtension}");
        }
        if (_options.OpenStream is null) System.IO.Directory.CreateDirectory(_options.Directory);
        var stream = _options.OpenStream?.Invoke(path) ?? new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        try
        {
            _catalogInstruments = _registry.Count;
            if (_files.Count == 0) _catalogPairs = _firstPairs;
            _writer = new RecordingWriter(stream, RecordingCatalog.From(_registry, pairs: _catalogPairs), _options.Quality);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        _fileOpenedAt = now;
        var ids = _files.Count == 0 ? _firstIds : _options.DeskIds?.Invoke();
        if (ids is var (token, lastOpportunity))
        {
            _writer.WriteControl(RecordingControlKind.PaperIdToken, long.Parse(token, NumberStyles.HexNumber, CultureInfo.InvariantCulture), now.UtcTicks);
            _writer.WriteControl(RecordingControlKind.LastOpportunityId, lastOpportunity, now.UtcTicks);
            _lastReceived = now.UtcTicks;
        }
        lock (_files) _files.Add(path);
        _logger.LogInformation("Recording book events to {Path}", path);
    }

    private void CloseFile()
    {
        var writer = _writer;
        _writer = null;
        if (writer is not null) Guard(writer.Dispose);
    }

    /// <summary>Runs a storage step; a failure is logged and counted, and the file is abandoned (the next event opens another).</summary>
    private bool Guard(Action step)
    {
        try
        {
            step();
            return true;
        }
        // Any storage failure, foreseen or not: this runs on a thread of its own, where an escaping exception ends the process.
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Fail(ex);
            return false;
        }
    }

    private void Resumed()
    {
        _logger.LogWarning("Recording book events resumed after {Problem}; {Dropped} events were dropped meanwhile (the recording has a gap)",
            _problem, Interlocked.Read(ref _dropped) - _droppedAtPause);
        _problem = null;
        _failuresInRow = 0;
    }

    private void Fail(Exception ex)
    {
        Interlocked.Increment(ref _failures);
        var pause = TimeSpan.FromTicks(_options.RetryInterval.Ticks << Math.Min(_failuresInRow, 4));
        _failuresInRow++;
        _retryAt = _time.GetUtcNow() + pause;
        if (_problem is null)
        {
            // Said once per outage (an error, so notifications carry it), not once per event.
            _droppedAtPause = Interlocked.Read(ref _dropped);
            _logger.LogError(ex, "Recording book events stopped: {Problem}. Events are dropped (counted) until storage recovers; a new file is tried in {Pause}; the live desk is unaffected",
                ex.Message, pause);
        }
        else
        {
            _logger.LogWarning("Recording book events still failing ({Problem}); next try in {Pause}", ex.Message, pause);
        }
        _problem = ex.Message;
        var writer = _writer;
        _writer = null;
        try
        {
            writer?.Dispose();
        }
        catch (Exception closeError) when (closeError is not OutOfMemoryException)
        {
            // The file is already broken; its readable part stays readable up to the damage.
        }
    }
}
