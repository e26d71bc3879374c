using ArbBot.Engine.Core;

namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>One sample of one instrument, as a chart plots it. Bands and mean are those the sample was judged against.</summary>
public readonly record struct SignalSample(
    DateTimeOffset At,
    double Price,
    double Mean,
    double Upper,
    double Lower,
    double CusumPositive,
    double CusumNegative,
    double RocPercent,
    /// <summary>Set on the sample where the CUSUM alarmed and every layer agreed (Up or Down), else None.</summary>
    SpikeDirection Signal);

/// <summary>Where one instrument's detector stands after the latest sample.</summary>
public sealed record InstrumentSignalState(
    InstrumentId Instrument,
    VenueId Venue,
    string MarketKey,
    string Title,
    DateTimeOffset At,
    double Price,
    int Samples,
    int WarmupSamples,
    double Mean,
    double Volatility,
    double Upper,
    double Lower,
    double CusumPositive,
    double CusumNegative,
    double CusumThreshold,
    BandState Band,
    double RocPercent,
    double RocThresholdPercent,
    int RocPeriods,
    bool RocConfirms,
    /// <summary>The way the CUSUM leans (the larger side), or None when both are zero.</summary>
    SpikeDirection Leaning,
    /// <summary>The liquidity layer on the instrument a trade in the leaning direction would buy; null without a leaning.</summary>
    LiquidityReading? Liquidity,
    DateTimeOffset? CooldownUntil,
    bool HasPosition)
{
    public bool Warm => Samples > WarmupSamples;

    /// <summary>The larger CUSUM side as a share of the threshold (1 = alarm).</summary>
    public double Progress => CusumThreshold <= 0 ? 0 : Math.Max(CusumPositive, CusumNegative) / CusumThreshold;
}

/// <summary>What became of a CUSUM alarm.</summary>
public enum SignalAction : byte
{
    /// <summary>Every layer agreed and an entry went to the risk gate and was taken.</summary>
    Entered,
    /// <summary>Every layer agreed but the risk gate refused the entry.</summary>
    Rejected,
    /// <summary>Every layer agreed but the hunter did not trade (disabled, cooldown, position limit, no Kelly edge…).</summary>
    Skipped,
    /// <summary>The CUSUM alarmed but another layer disagreed.</summary>
    Blocked,
}

/// <summary>One CUSUM alarm, what the layers said and what was done, explained in a sentence.</summary>
public sealed record SpikeSignalRecord(
    DateTimeOffset At,
    InstrumentId Instrument,
    VenueId Venue,
    string Title,
    SpikeDirection Direction,
    double Price,
    SignalAction Action,
    long? OpportunityId,
    string Explanation);

/// <summary>
/// One instrument's state after a pass, as the hub keeps it: the fields of <see cref="InstrumentSignalState"/> in a value
/// (the market's strings by reference), so a pass writes into arrays and allocates nothing.
/// </summary>
internal readonly record struct SignalState(
    Market Market,
    DateTimeOffset At,
    double Price,
    int Samples,
    int WarmupSamples,
    double Mean,
    double Volatility,
    double Upper,
    double Lower,
    double CusumPositive,
    double CusumNegative,
    double CusumThreshold,
    BandState Band,
    double RocPercent,
    double RocThresholdPercent,
    int RocPeriods,
    bool RocConfirms,
    SpikeDirection Leaning,
    LiquidityReading? Liquidity,
    DateTimeOffset? CooldownUntil,
    bool HasPosition)
{
    public InstrumentSignalState ToRecord() => new(Market.Yes, Market.Venue, Market.MarketKey, Market.Title, At, Price, Samples, WarmupSamples,
        Mean, Volatility, Upper, Lower, CusumPositive, CusumNegative, CusumThreshold, Band, RocPercent, RocThresholdPercent, RocPeriods, RocConfirms,
        Leaning, Liquidity, CooldownUntil, HasPosition);
}

/// <summary>
/// The spike hunter's state for the dashboard: every tracked instrument's latest layer readings, its recent samples
/// (bounded ring per instrument) and the recent signals. Written by the hunter on the hub's thread once per sampling
/// pass; read from any thread (immutable lists, histories copied under a lock).
/// </summary>
/// <remarks>
/// <para>
/// The hub's side allocates nothing in its steady state. Each pass stages every instrument's <see cref="SignalState"/>
/// (a value) into a back array and publishes it by swapping it with the front one under the lock; a reader copies the
/// front array under the same lock and makes the <see cref="InstrumentSignalState"/> records on its own thread, once per
/// pass (kept until the next). The histories live in blocks of rings allocated when an instrument is tracked — each
/// block straight on the large-object heap, so they are never copied from generation to generation — not on first
/// sampling, and are reused (cleared) when the detectors restart.
/// </para>
/// <para>
/// Before, a pass made one record per instrument and a new list (~230 KB a second with 1,000 markets) and the first pass
/// made a 300-sample ring per instrument (24 MB), all in generation 0 on the hub's thread: the collections they caused ran
/// on the hub.
/// </para>
/// </remarks>
public sealed class SignalBoard
{
    /// <summary>Samples kept per instrument: five minutes at the default 1 s interval.</summary>
    public const int HistoryCapacity = 300;

    /// <summary>Signals kept.</summary>
    public const int SignalCapacity = 200;

    // 64 rings of 300 samples (80 bytes each) = 1.5 MB per block: above the large-object threshold.
    private const int RingsPerBlock = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<InstrumentId, int> _slotOf = [];
    private readonly List<SignalSample[]> _blocks = [];
    private int[] _ringNext = [];
    private int[] _ringCount = [];
    private int _slots;

    // Hub side: the pass being staged. Front: the last published pass (read under _gate).
    private SignalState[] _back = [];
    private SignalState[] _front = [];
    private int _frontCount;
    private long _version;

    // Reader side: the records made from the front array, per published version.
    private readonly Lock _readGate = new();
    private SignalState[] _readerCopy = [];
    private IReadOnlyList<InstrumentSignalState> _built = [];
    private long _builtVersion;
    private volatile IReadOnlyList<SpikeSignalRecord> _signals = [];

    /// <summary>Every tracked instrument after the latest pass (the same list until the next pass).</summary>
    public IReadOnlyList<InstrumentSignalState> Instruments
    {
        get
        {
            lock (_readGate)
            {
                int count;
                long version;
                lock (_gate)
                {
                    version = _version;
                    if (version == _builtVersion) return _built;
                    count = _frontCount;
                    if (_readerCopy.Length < count) _readerCopy = new SignalState[_front.Length];
                    Array.Copy(_front, _readerCopy, count);
                }
                var records = new InstrumentSignalState[count];
                for (var i = 0; i < count; i++) records[i] = _readerCopy[i].ToRecord();
                Array.Clear(_readerCopy, 0, count);
                _built = records;
                _builtVersion = version;
                return records;
            }
        }
    }

    /// <summary>Recent signals, newest first.</summary>
    public IReadOnlyList<SpikeSignalRecord> Signals => _signals;

    /// <summary>When the latest pass ran, or null before the first.</summary>
    public DateTimeOffset? LastPassAt { get; private set; }

    /// <summary>The instruments closest to a CUSUM alarm (warm ones first, then by progress), at most <paramref name="count"/>.</summary>
    public IReadOnlyList<InstrumentSignalState> ClosestToTrigger(int count) =>
        [.. Instruments.Where(s => s.Warm).OrderByDescending(s => s.Progress).ThenBy(s => s.Instrument.Value).Take(count)];

    /// <summary>The instrument's recent samples, oldest first (a copy).</summary>
    public IReadOnlyList<SignalSample> History(InstrumentId instrument)
    {
        lock (_gate)
        {
            if (!_slotOf.TryGetValue(instrument, out var slot) || _ringCount[slot] == 0) return [];
            var count = _ringCount[slot];
            var result = new SignalSample[count];
            var block = _blocks[slot / RingsPerBlock];
            var offset = slot % RingsPerBlock * HistoryCapacity;
            var start = (_ringNext[slot] - count + HistoryCapacity) % HistoryCapacity;
            for (var i = 0; i < count; i++) result[i] = block[offset + (start + i) % HistoryCapacity];
            return result;
        }
    }

    /// <summary>Raised on the hub thread after each pass is published (handlers must be quick).</summary>
    public event Action? Updated;

    /// <summary>Gives <paramref name="instrument"/> a history ring (allocating a block of rings when needed); returns its slot. Hub thread.</summary>
    internal int Track(InstrumentId instrument)
    {
        lock (_gate)
        {
            if (_slotOf.TryGetValue(instrument, out var known)) return known;
            var slot = _slots;
            if (slot % RingsPerBlock == 0) _blocks.Add(new SignalSample[RingsPerBlock * HistoryCapacity]);
            if (slot >= _ringNext.Length)
            {
                var size = Math.Max(RingsPerBlock, _ringNext.Length * 2);
                Array.Resize(ref _ringNext, size);
                Array.Resize(ref _ringCount, size);
            }
            _slotOf[instrument] = slot;
            _slots++;
            return slot;
        }
    }

    /// <summary>Adds a sample to the ring of <paramref name="slot"/> (from <see cref="Track"/>). Hub thread.</summary>
    internal void Record(int slot, in SignalSample sample)
    {
        lock (_gate)
        {
            var next = _ringNext[slot];
            _blocks[slot / RingsPerBlock][slot % RingsPerBlock * HistoryCapacity + next] = sample;
            _ringNext[slot] = next + 1 == HistoryCapacity ? 0 : next + 1;
            if (_ringCount[slot] < HistoryCapacity) _ringCount[slot]++;
        }
    }

    /// <summary>Empties every history (the rings are kept). Hub thread.</summary>
    internal void Forget()
    {
        lock (_gate)
        {
            Array.Clear(_ringNext);
            Array.Clear(_ringCount);
        }
    }

    internal void AddSignal(SpikeSignalRecord signal)
    {
        var list = _signals;
        _signals = [signal, .. list.Take(SignalCapacity - 1)];
    }

    /// <summary>The array a pass stages its states in, at least <paramref name="count"/> long (hub thread; not visible to readers until published).</summary>
    internal SignalState[] Staging(int count)
    {
        if (_back.Length < count) _back = new SignalState[Math.Max(count, _back.Length * 2)];
        return _back;
    }

    /// <summary>Publishes the first <paramref name="count"/> staged states as the latest pass. Hub thread.</summary>
    internal void Publish(int count, DateTimeOffset at)
    {
        lock (_gate)
        {
            (_front, _back) = (_back, _front);
            _frontCount = count;
            _version++;
        }
        LastPassAt = at;
        Updated?.Invoke();
    }
}
