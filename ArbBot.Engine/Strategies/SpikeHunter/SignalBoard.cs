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
/// The spike hunter's state for the dashboard: every tracked instrument's latest layer readings, its recent samples
/// (bounded ring per instrument) and the recent signals. Written by the hunter on the hub's thread once per sampling
/// pass; read from any thread (immutable lists published atomically, histories copied under a lock).
/// </summary>
public sealed class SignalBoard
{
    /// <summary>Samples kept per instrument: five minutes at the default 1 s interval.</summary>
    public const int HistoryCapacity = 300;

    /// <summary>Signals kept.</summary>
    public const int SignalCapacity = 200;

    private readonly Lock _gate = new();
    private readonly Dictionary<InstrumentId, Ring> _histories = [];
    private volatile IReadOnlyList<InstrumentSignalState> _instruments = [];
    private volatile IReadOnlyList<SpikeSignalRecord> _signals = [];

    /// <summary>Every tracked instrument after the latest pass.</summary>
    public IReadOnlyList<InstrumentSignalState> Instruments => _instruments;

    /// <summary>Recent signals, newest first.</summary>
    public IReadOnlyList<SpikeSignalRecord> Signals => _signals;

    /// <summary>When the latest pass ran, or null before the first.</summary>
    public DateTimeOffset? LastPassAt { get; private set; }

    /// <summary>The instruments closest to a CUSUM alarm (warm ones first, then by progress), at most <paramref name="count"/>.</summary>
    public IReadOnlyList<InstrumentSignalState> ClosestToTrigger(int count) =>
        [.. _instruments.Where(s => s.Warm).OrderByDescending(s => s.Progress).ThenBy(s => s.Instrument.Value).Take(count)];

    /// <summary>The instrument's recent samples, oldest first (a copy).</summary>
    public IReadOnlyList<SignalSample> History(InstrumentId instrument)
    {
        lock (_gate)
        {
            return _histories.TryGetValue(instrument, out var ring) ? ring.ToArray() : [];
        }
    }

    /// <summary>Raised on the hub thread after each pass is published (handlers must be quick).</summary>
    public event Action? Updated;

    internal void Record(InstrumentId instrument, in SignalSample sample)
    {
        lock (_gate)
        {
            if (!_histories.TryGetValue(instrument, out var ring)) _histories[instrument] = ring = new Ring();
            ring.Add(sample);
        }
    }

    internal void Forget()
    {
        lock (_gate) _histories.Clear();
    }

    internal void AddSignal(SpikeSignalRecord signal)
    {
        var list = _signals;
        _signals = [signal, .. list.Take(SignalCapacity - 1)];
    }

    internal void Publish(IReadOnlyList<InstrumentSignalState> instruments, DateTimeOffset at)
    {
        _instruments = instruments;
        LastPassAt = at;
        Updated?.Invoke();
    }

    private sealed class Ring
    {
        private readonly SignalSample[] _items = new SignalSample[HistoryCapacity];
        private int _next;
        private int _count;

        public void Add(in SignalSample sample)
        {
            _items[_next] = sample;
            _next = (_next + 1) % _items.Length;
            if (_count < _items.Length) _count++;
        }

        public SignalSample[] ToArray()
        {
            var result = new SignalSample[_count];
            var start = (_next - _count + _items.Length) % _items.Length;
            for (var i = 0; i < _count; i++) result[i] = _items[(start + i) % _items.Length];
            return result;
        }
    }
}
