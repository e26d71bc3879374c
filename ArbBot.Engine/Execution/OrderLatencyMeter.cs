using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies;

namespace ArbBot.Engine.Execution;

/// <summary>How quickly a venue has been answering orders: the time from sending to its first answer.</summary>
/// <param name="Samples">Answers measured (the most recent <see cref="OrderLatencyMeter.Window"/> at most).</param>
/// <param name="Median">Median over those answers.</param>
/// <param name="P95">95th percentile over those answers (nearest rank).</param>
/// <param name="Last">The most recent answer's latency.</param>
public sealed record OrderLatency(int Samples, TimeSpan Median, TimeSpan P95, TimeSpan Last);

/// <summary>
/// Measures each venue's order response latency from the journal's order transitions: an order's first move out of
/// <see cref="OrderStatus.New"/> because the venue answered (acknowledged, filled or rejected it) against the time it
/// was sent. A cancel or expiry by our own timeout is not an answer and is not counted. Fed on the hub's thread;
/// <see cref="Snapshot"/> is for the desk monitor on the same thread.
/// </summary>
public sealed class OrderLatencyMeter
{
    /// <summary>How many recent answers per venue the figures cover.</summary>
    public const int Window = 256;

    private readonly Dictionary<VenueId, Ring> _byVenue = [];

    /// <summary>Notes a transition; only a first answer with a known send time counts.</summary>
    public void Observe(OrderTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        if (transition.From != OrderStatus.New || transition.SentAt is not { } sent) return;
        if (transition.To is not (OrderStatus.Submitted or OrderStatus.PartiallyFilled or OrderStatus.Filled or OrderStatus.Rejected)) return;
        var latency = transition.At - sent;
        if (latency < TimeSpan.Zero) latency = TimeSpan.Zero;
        if (!_byVenue.TryGetValue(transition.Venue, out var ring)) _byVenue[transition.Venue] = ring = new Ring();
        ring.Add(latency.Ticks);
    }

    /// <summary>Each venue's figures over its recent answers; venues that have not answered yet are absent.</summary>
    public IReadOnlyDictionary<VenueId, OrderLatency> Snapshot()
    {
        var result = new Dictionary<VenueId, OrderLatency>(_byVenue.Count);
        foreach (var (venue, ring) in _byVenue) result[venue] = ring.Summarize();
        return result;
    }

    private sealed class Ring
    {
        private readonly long[] _ticks = new long[Window];
        private int _count;
        private int _next;
        private long _last;

        public void Add(long ticks)
        {
            _ticks[_next] = ticks;
            _next = (_next + 1) % Window;
            if (_count < Window) _count++;
            _last = ticks;
        }

        public OrderLatency Summarize()
        {
            var sorted = _ticks.AsSpan(0, _count).ToArray();
            Array.Sort(sorted);
            return new OrderLatency(_count, TimeSpan.FromTicks(Rank(sorted, 0.5)), TimeSpan.FromTicks(Rank(sorted, 0.95)), TimeSpan.FromTicks(_last));
        }

        // Nearest rank: the smallest sample with at least p of the samples at or below it.
        private static long Rank(long[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}

/// <summary>Passes everything to the journal and lets the <see cref="OrderLatencyMeter"/> watch order transitions.</summary>
public sealed class LatencyMeteringJournal(IEngineJournal inner, OrderLatencyMeter meter) : IEngineJournal
{
    public void OnOrderTransition(OrderTransition transition)
    {
        meter.Observe(transition);
        inner.OnOrderTransition(transition);
    }

    public void OnOpportunity(Opportunity opportunity) => inner.OnOpportunity(opportunity);
    public void OnFill(Fill fill, long? opportunityId, long? pairId) => inner.OnFill(fill, opportunityId, pairId);
    public void OnRiskEvent(RiskEvent riskEvent) => inner.OnRiskEvent(riskEvent);
    public void OnExecutionCompleted(ExecutionOutcome outcome) => inner.OnExecutionCompleted(outcome);
    public void OnUnhedgedExposure(long? pairId, InstrumentId instrument, decimal quantity, string detail) =>
        inner.OnUnhedgedExposure(pairId, instrument, quantity, detail);
}
