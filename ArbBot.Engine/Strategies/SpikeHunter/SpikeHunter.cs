using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using ArbBot.Engine.Core;
using ArbBot.Engine.Events;
using ArbBot.Engine.Execution;
using ArbBot.Engine.MarketData;
using ArbBot.Engine.Venues;

namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>
/// Seed 004's spike hunter: samples every market's YES mid on a fixed clock, runs the four detection layers (CUSUM
/// against the EWMA mean, EWMA band breach, rate of change, liquidity), and when all four agree enters a single-leg
/// position sized by fractional Kelly, through the desk's risk gate and records; then exits it on a volatility-scaled
/// stop or take-profit, a trailing stop that only tightens, or a maximum holding time. Hub thread only.
/// </summary>
/// <remarks>
/// <para>
/// Only each market's YES mid is sampled: on a binary market NO's mid is 1 − YES's, so one detector per market sees
/// both. Going "short" YES is buying NO (neither venue lends YES to sell short): fading a jump up in YES buys NO, fading
/// a drop buys YES; following does the opposite. Every position is therefore long the token it bought and is closed by
/// selling that token into its bids.
/// </para>
/// <para>
/// Sampling runs as hub work posted by a timer on the hub's <see cref="TimeProvider"/>, so replays and tests on a manual
/// clock drive it exactly. A pass costs O(markets) and allocates nothing unless a CUSUM alarms (states are values staged
/// in the board's arrays, history rings are allocated when a market is tracked); at most
/// <see cref="MaxTrackedMarkets"/> markets are tracked. Per market: one position at a time, then a cooldown after the
/// entry and after the exit. Exits still run while the hunter is disabled or trading is paused (they reduce risk), but
/// not while the kill switch is engaged (no order goes out then).
/// </para>
/// </remarks>
public sealed class SpikeHunter : IOpportunityExecutor, IHubWork, IDisposable
{
    /// <summary>The <see cref="Opportunity.Strategy"/> of its entries.</summary>
    public const string StrategyName = "spike";

    /// <summary>Markets tracked at most, which bounds a pass's cost.</summary>
    public const int MaxTrackedMarkets = 4096;

    private readonly MarketDataHub _hub;
    private readonly SpikeHunterControls _controls;
    private readonly IOpportunitySink _sink;
    private readonly IEngineJournal _journal;
    private readonly OpportunityIds _ids;
    private readonly SingleOrderExecutor _orders;
    private readonly IReadOnlyDictionary<VenueId, IFeeModel> _fees;
    private readonly Func<decimal> _bankroll;
    private readonly Func<bool> _ordersBlocked;
    private readonly TimeProvider _time;
    private readonly List<Tracker> _trackers = [];
    private readonly HashSet<(VenueId, string)> _tracked = [];
    private readonly Dictionary<long, SpikePosition> _positions = [];
    private readonly List<SpikePosition> _exitScratch = [];
    private int _registryCountSeen = -1;
    private SpikeHunterSettings _settings;
    private ITimer? _timer;
    private DateTimeOffset? _lastPass;

    public SpikeHunter(
        MarketDataHub hub,
        SpikeHunterControls controls,
        IOpportunitySink sink,
        IEngineJournal journal,
        OpportunityIds ids,
        SingleOrderExecutor orders,
        IReadOnlyDictionary<VenueId, IFeeModel> fees,
        Func<decimal> bankroll,
        Func<bool> ordersBlocked)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(controls);
        _hub = hub;
        _controls = controls;
        _sink = sink;
        _journal = journal;
        _ids = ids;
        _orders = orders;
        _fees = fees;
        _bankroll = bankroll;
        _ordersBlocked = ordersBlocked;
        _time = hub.Time;
        _settings = controls.Settings;
        controls.Changed += OnSettingsChanged;
    }

    /// <summary>The settings it follows (changed through the desk's commands, or directly in tests).</summary>
    public SpikeHunterControls Controls => _controls;

    /// <summary>What the dashboard reads (thread-safe).</summary>
    public SignalBoard Board { get; } = new();

    /// <summary>The win-rate record behind Kelly sizing. Hub thread.</summary>
    public KellySizer Kelly { get; } = new();

    /// <summary>Positions not yet closed. Hub thread.</summary>
    public IReadOnlyCollection<SpikePosition> Positions => _positions.Values;

    /// <summary>Starts sampling on the hub's clock at the configured interval.</summary>
    public void Start()
    {
        PrepareFullyOptimizedMethods();
        var interval = _settings.SampleInterval;
        _timer ??= _time.CreateTimer(static state => ((SpikeHunter)state!)._hub.Post((SpikeHunter)state!), this, interval, interval);
    }

    public void Dispose() => _timer?.Dispose();

    private static int s_prepared;

    /// <summary>
    /// Compiles, on the calling thread and once per process, the hunter's methods marked
    /// <see cref="MethodImplOptions.AggressiveOptimization"/>. Those are never precompiled (ReadyToRun skips them) nor
    /// tiered: each is compiled fully optimized at its first call, and <see cref="MarkCooldown"/> and <see cref="Finish"/>
    /// are first called at the first entry and the first close, on the hub, mid-session (measured: the largest part of
    /// what the first alarm still compiled on the hub in a ReadyToRun build). Compiling them here makes the same code, so
    /// nothing the hunter decides changes.
    /// </summary>
    private static void PrepareFullyOptimizedMethods()
    {
        if (Interlocked.Exchange(ref s_prepared, 1) != 0) return;
        const BindingFlags all = BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        foreach (var method in typeof(SpikeHunter).GetMethods(all))
        {
            if ((method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0 && !method.ContainsGenericParameters)
            {
                RuntimeHelpers.PrepareMethod(method.MethodHandle);
            }
        }
    }

    void IHubWork.Execute(MarketDataHub hub) => Sample();

    /// <summary>One sampling pass over every tracked market, then the exits. Hub thread (the timer posts it there).</summary>
    /// <remarks>
    /// Compiled fully optimized at its first call (in the first pass). Tiered, it ran its first passes unoptimized and its
    /// loop was compiled on stack replacement once its back edges had counted ~10,000 markets — on the hub, in the middle
    /// of a pass, about the ninth: the 10 ms "no GC" hub slot seen at the same point of every latency run (measured with the
    /// hub thread's JIT time per slot). The same for the loops over every tracker on a position's close.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Sample()
    {
        var now = _time.GetUtcNow();
        var settings = _settings;
        // Work queued behind a busy hub must not turn into a burst of samples closer together than the interval.
        if (_lastPass is { } last && now - last < settings.SampleInterval / 2) return;
        _lastPass = now;
        TrackNewMarkets();
        // Each tracker's state goes into the board's staging array (values, no allocation); a market whose book cannot be
        // sampled now keeps the state of its last sample, and one never sampled is not listed.
        var staged = Board.Staging(_trackers.Count);
        var count = 0;
        foreach (var tracker in _trackers)
        {
            var book = _hub.TryGetBook(tracker.Market.Yes);
            if (book is null || book.IsStale || book.IsCrossed || book.Mid is not { } mid)
            {
                if (tracker.HasLast) staged[count++] = tracker.Last;
                continue;
            }
            var reading = tracker.Detector.Add((double)mid);
            var leaning = reading.Cusum != SpikeDirection.None ? reading.Cusum
                : reading.CusumPositive > reading.CusumNegative ? SpikeDirection.Up
                : reading.CusumNegative > reading.CusumPositive ? SpikeDirection.Down : SpikeDirection.None;
            LiquidityReading? liquidity = leaning == SpikeDirection.None ? null
                : LiquidityCheck.Evaluate(_hub.TryGetBook(InstrumentToBuy(tracker.Market, leaning, settings.Direction)), settings.MaxSpread, settings.MinLiquidityUsd);
            var agreed = reading.Agreed != SpikeDirection.None && liquidity is { Passed: true } ? reading.Agreed : SpikeDirection.None;
            Board.Record(tracker.Slot, new SignalSample(now, reading.Price, reading.Mean, reading.Upper, reading.Lower,
                reading.CusumPositive, reading.CusumNegative, reading.RocPercent, agreed));
            if (reading.Cusum != SpikeDirection.None) OnAlarm(tracker, reading, liquidity!.Value, agreed, settings, now);
            tracker.Last = new SignalState(tracker.Market, now,
                reading.Price, tracker.Detector.Count, settings.EwmaSpan, reading.Mean, reading.Volatility, reading.Upper, reading.Lower,
                reading.CusumPositive, reading.CusumNegative, (double)settings.CusumThreshold, reading.Band, reading.RocPercent,
                (double)settings.RocThresholdPercent, settings.RocPeriods, reading.RocConfirms, leaning, liquidity,
                tracker.CooldownUntil > now ? tracker.CooldownUntil : null, tracker.Position is not null);
            tracker.HasLast = true;
            staged[count++] = tracker.Last;
        }
        ManageExits(settings, now);
        Board.Publish(count, now);
    }

    // ---- entries --------------------------------------------------------------------------------------------------

    private void OnAlarm(Tracker tracker, SpikeReading reading, LiquidityReading liquidity, SpikeDirection agreed, SpikeHunterSettings settings, DateTimeOffset now)
    {
        var market = tracker.Market;
        var direction = reading.Cusum;
        var text = SignalText.Describe(market, reading, liquidity, direction, settings);
        if (agreed == SpikeDirection.None)
        {
            Board.AddSignal(new SpikeSignalRecord(now, market.Yes, market.Venue, market.Title, direction, reading.Price, SignalAction.Blocked, null,
                text + " No trade: not every layer agreed."));
            return;
        }
        var skip = !settings.Enabled ? "the spike hunter is switched off"
            : tracker.Position is not null ? "a spike position in this market is still open"
            : tracker.CooldownUntil > now ? F($"the market is cooling down for {(tracker.CooldownUntil - now).TotalSeconds:0} s more")
            : _positions.Count >= settings.MaxConcurrentPositions ? F($"{_positions.Count} spike positions are open (maximum {settings.MaxConcurrentPositions})")
            : null;
        if (skip is not null)
        {
            Board.AddSignal(new SpikeSignalRecord(now, market.Yes, market.Venue, market.Title, direction, reading.Price, SignalAction.Skipped, null,
                $"{text} No trade: {skip}."));
            return;
        }
        TryEnter(tracker, reading, direction, text, settings, now);
    }

    private void TryEnter(Tracker tracker, SpikeReading reading, SpikeDirection direction, string text, SpikeHunterSettings settings, DateTimeOffset now)
    {
        var market = tracker.Market;
        var instrument = InstrumentToBuy(market, direction, settings.Direction);
        var outcome = instrument == market.Yes ? "YES" : "NO";
        var book = _hub.TryGetBook(instrument);
        if (book is null || book.IsStale || !book.HasAsk || !book.HasBid)
        {
            Skip(tracker, reading, direction, text, $"the {outcome} book has no two-sided quote", now);
            return;
        }
        var volatility = (decimal)reading.VolatilityAfter;
        var ask = book.BestAsk.Price;
        var spread = ask.Value - book.BestBid.Price.Value;
        var stopDistance = settings.StopMultiplier * volatility;
        var profitDistance = settings.ProfitMultiplier * volatility;
        if (spread >= stopDistance)
        {
            // Bought at the ask, the position would be at its stop the moment it is filled.
            Skip(tracker, reading, direction, text, F($"the {outcome} spread {spread:0.00##} is not inside the stop distance {stopDistance:0.000#}"), now);
            return;
        }
        var feeModel = _fees.GetValueOrDefault(market.Venue);
        const decimal probe = 100m;
        var feePerContract = feeModel is null ? 0m : feeModel.Fee(market.Fees, ask, probe, Liquidity.Taker) / probe;
        // Stops and targets are measured on the exit bid against the entry price, so the spread is inside them; fees
        // are paid on the way in and (about the same) on the way out.
        var win = profitDistance - 2 * feePerContract;
        var loss = stopDistance + 2 * feePerContract;
        var bankroll = _bankroll();
        var kelly = Kelly.Size(win, loss, ask.Value, bankroll, settings.KellyFraction, settings.MaxBankrollFraction);
        var sizing = F($"Kelly: win rate {kelly.WinRate:0.0%} ({Kelly.Wins} won, {Kelly.Losses} lost + prior), +{win:0.000#} vs −{loss:0.000#} a contract, f* {kelly.FullFraction:0.000}, taken {kelly.TakenFraction:0.0000} of ${bankroll:0}");
        var quantity = market.RoundDownToStep(kelly.Contracts);
        if (kelly.Contracts <= 0m || !market.IsTradableQuantity(quantity))
        {
            var why = kelly.Contracts <= 0m ? $"no Kelly edge ({sizing})" : F($"the Kelly size {kelly.Contracts:0.##} is below the venue's minimum order ({sizing})");
            Skip(tracker, reading, direction, text, why, now, journal: true, instrument, book, feePerContract, kelly);
            return;
        }
        var walk = book.Walk(Side.Buy, quantity, book.TickSize.MaxPrice);
        if (walk.Filled < quantity) quantity = market.RoundDownToStep(walk.Filled);
        if (!market.IsTradableQuantity(quantity))
        {
            Skip(tracker, reading, direction, text, $"the {outcome} asks cannot fill the venue's minimum order", now);
            return;
        }
        if (quantity < walk.Filled) walk = book.Walk(Side.Buy, quantity, book.TickSize.MaxPrice);

        var fee = feeModel is null ? 0m : feeModel.Fee(market.Fees, walk.WorstPrice, quantity, Liquidity.Taker);
        var action = Action(settings.Direction, direction, outcome);
        var opportunity = new Opportunity(_ids.Next(), StrategyName, null, now,
            [new OpportunityLeg(instrument, market.Venue, Side.Buy, walk.WorstPrice, walk.AveragePrice, fee, ask, book.SizeWithin(BookSide.Ask, walk.WorstPrice),
                book.Version, BookAge(book, now))],
            quantity,
            (decimal)kelly.WinRate * profitDistance - (1 - (decimal)kelly.WinRate) * stopDistance,
            fee + feePerContract * quantity,
            kelly.EdgePerContract,
            kelly.EdgePerContract * quantity,
            OpportunityDecision.Detected,
            F($"{text} {action} {quantity:0.##} at up to {walk.WorstPrice.Value:0.00##}; {sizing}{(kelly.Capped ? ", capped by the bankroll share" : "")}."));
        var position = new SpikePosition(opportunity, market, instrument, direction, settings.Direction, reading.VolatilityAfter, text, now)
        {
            State = SpikePositionState.Pending,
        };
        _positions[opportunity.Id] = position;
        tracker.Position = position;
        _sink.OnOpportunity(opportunity);
        if (position.State == SpikePositionState.Pending)
        {
            // The risk gate refused it (the desk engine recorded why).
            _positions.Remove(opportunity.Id);
            tracker.Position = null;
            Board.AddSignal(new SpikeSignalRecord(now, market.Yes, market.Venue, market.Title, direction, reading.Price, SignalAction.Rejected, opportunity.Id,
                $"{text} {action} was refused by the risk gate."));
            return;
        }
        Board.AddSignal(new SpikeSignalRecord(now, market.Yes, market.Venue, market.Title, direction, reading.Price, SignalAction.Entered, opportunity.Id,
            F($"{text} {action} {position.Opportunity.Quantity:0.##}.")));
    }

    private void Skip(Tracker tracker, SpikeReading reading, SpikeDirection direction, string text, string why, DateTimeOffset now, bool journal = false,
        InstrumentId instrument = default, OrderBook? book = null, decimal feePerContract = 0m, KellySize kelly = default)
    {
        var market = tracker.Market;
        long? id = null;
        if (journal && book is not null)
        {
            // Recorded like any opportunity that was seen and not taken, so the record shows why the hunter held back.
            id = _ids.Next();
            _journal.OnOpportunity(new Opportunity(id.Value, StrategyName, null, now,
                [new OpportunityLeg(instrument, market.Venue, Side.Buy, book.BestAsk.Price, book.BestAsk.Price.Value, 0m, book.BestAsk.Price,
                    book.BestAsk.Size, book.Version, BookAge(book, now))],
                0m, 0m, 0m, kelly.EdgePerContract, 0m, OpportunityDecision.Skipped, $"{text} No trade: {why}."));
        }
        Board.AddSignal(new SpikeSignalRecord(now, market.Yes, market.Venue, market.Title, direction, reading.Price, SignalAction.Skipped, id,
            $"{text} No trade: {why}."));
    }

    /// <inheritdoc />
    public bool TryExecute(Opportunity opportunity, decimal quantity, [NotNullWhen(false)] out string? refusal)
    {
        ArgumentNullException.ThrowIfNull(opportunity);
        if (!_positions.TryGetValue(opportunity.Id, out var position) || position.State != SpikePositionState.Pending)
        {
            refusal = $"opportunity {opportunity.Id} is not a pending spike entry";
            return false;
        }
        var leg = opportunity.Legs[0];
        position.State = SpikePositionState.Entering;
        MarkCooldown(position);
        if (!_orders.TrySend(F($"o{opportunity.Id}-e1"), opportunity.Id, leg.Instrument, leg.Venue, Side.Buy, leg.WorstPrice, quantity,
                result => OnEntryDone(position, quantity, result), out refusal))
        {
            position.State = SpikePositionState.Pending;
            return false;
        }
        return true;
    }

    private void OnEntryDone(SpikePosition position, decimal planned, SingleOrderResult result)
    {
        var now = _time.GetUtcNow();
        position.Entry = result;
        if (result.Filled <= 0m)
        {
            var leg = position.Opportunity.Legs[0];
            var why = result.FinalStatus == OrderStatus.Rejected ? $"was rejected ({result.Reason ?? "no reason given"})"
                : result.FinalStatus == OrderStatus.Expired ? "got no answer in time"
                : "found no ask at or below its limit (the price moved first)";
            Finish(position, now, ExecutionOutcomeKind.NotFilled, planned,
                F($"{position.SignalText} Bought nothing: the IOC buy of {planned:0.##} {Outcome(position)} at {leg.WorstPrice.Value:0.00##} {why}."));
            return;
        }
        var settings = _settings;
        var volatility = (decimal)position.Volatility;
        position.Quantity = position.Remaining = result.Filled;
        position.EntryPrice = result.AveragePrice;
        position.EntryCost = result.Notional;
        position.EntryFees = result.Fees;
        position.OpenedAt = now;
        position.EntryFilledAt = result.LastFillAt ?? now;
        position.StopPrice = position.TrailingStop = position.EntryPrice - settings.StopMultiplier * volatility;
        position.TakeProfitPrice = position.EntryPrice + settings.ProfitMultiplier * volatility;
        position.State = SpikePositionState.Open;
    }

    // ---- exits ----------------------------------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ManageExits(SpikeHunterSettings settings, DateTimeOffset now)
    {
        if (_positions.Count == 0) return;
        // A copy (sending an exit can close a position and remove it), into a list kept for the purpose.
        _exitScratch.Clear();
        _exitScratch.AddRange(_positions.Values);
        foreach (var position in _exitScratch)
        {
            if (position.State != SpikePositionState.Open) continue;
            var book = _hub.TryGetBook(position.Instrument);
            if (book is null || book.IsStale || !book.HasBid) continue;
            var bid = book.BestBid.Price.Value;
            RaiseTrailingStop(position, bid, settings);
            position.ExitReason ??= ExitReason(position, bid, settings, now);
            if (position.ExitReason is not null) SendExit(position, book, now);
        }
        _exitScratch.Clear();
    }

    /// <summary>Moves the trailing stop up to bid − trailing·volatility when that is higher; it never moves down.</summary>
    public static void RaiseTrailingStop(SpikePosition position, decimal bid, SpikeHunterSettings settings)
    {
        var trail = bid - settings.TrailingMultiplier * (decimal)position.Volatility;
        if (trail > position.TrailingStop) position.TrailingStop = trail;
    }

    /// <summary>Why the position should close now (take-profit first), or null to keep holding.</summary>
    public static string? ExitReason(SpikePosition position, decimal bid, SpikeHunterSettings settings, DateTimeOffset now)
    {
        if (bid >= position.TakeProfitPrice) return F($"take-profit: the bid {bid:0.00##} reached the target {position.TakeProfitPrice:0.00##}");
        if (bid <= position.TrailingStop)
        {
            return position.TrailingStop > position.StopPrice
                ? F($"trailing stop: the bid {bid:0.00##} fell to the stop, raised from {position.StopPrice:0.00##} to {position.TrailingStop:0.00##}")
                : F($"stop loss: the bid {bid:0.00##} fell to the stop {position.StopPrice:0.00##}");
        }
        if (position.OpenedAt is { } opened && now - opened >= settings.MaxHoldingTime)
        {
            return F($"maximum holding time: held {(now - opened).TotalSeconds:0} s (limit {settings.MaxHoldingTime.TotalSeconds:0} s) with the bid at {bid:0.00##}");
        }
        return null;
    }

    private void SendExit(SpikePosition position, OrderBook book, DateTimeOffset now)
    {
        if (_ordersBlocked()) return;
        var quantity = position.Market.RoundDownToStep(position.Remaining);
        if (!position.Market.IsTradableQuantity(quantity))
        {
            Close(position, now);
            return;
        }
        var walk = book.Walk(Side.Sell, quantity, book.TickSize.MinPrice);
        if (walk.Filled <= 0m) return;
        position.ExitAttempts++;
        position.State = SpikePositionState.Exiting;
        if (!_orders.TrySend(F($"o{position.Opportunity.Id}-x{position.ExitAttempts}"), position.Opportunity.Id, position.Instrument, position.Market.Venue,
                Side.Sell, walk.WorstPrice, quantity, result => OnExitDone(position, result), out _))
        {
            position.State = SpikePositionState.Open;
        }
    }

    private void OnExitDone(SpikePosition position, SingleOrderResult result)
    {
        position.ExitQuantity += result.Filled;
        position.ExitProceeds += result.Notional;
        position.ExitFees += result.Fees;
        position.Remaining -= result.Filled;
        var left = position.Market.RoundDownToStep(position.Remaining);
        if (left > 0m && position.Market.IsTradableQuantity(left))
        {
            // Sold in part (or not at all): the next sample tries again from the live book.
            position.State = SpikePositionState.Open;
            return;
        }
        Close(position, _time.GetUtcNow());
    }

    private void Close(SpikePosition position, DateTimeOffset now)
    {
        var realized = Math.Round(position.ExitProceeds - position.EntryPrice * position.ExitQuantity - position.EntryFees - position.ExitFees, 6);
        Kelly.RecordClosedTrade(realized);
        var held = now - (position.OpenedAt ?? now);
        var leftover = position.Remaining > 0m
            ? F($"; {position.Remaining:0.####} left unsold (below the venue's minimum order)")
            : "";
        var summary = F($"{position.SignalText} {Action(position.Mode, position.Spike, Outcome(position))} {position.Quantity:0.##} at {position.EntryPrice:0.00##}; ") +
            F($"sold {position.ExitQuantity:0.##} at {position.AverageExitPrice:0.00##} on {position.ExitReason ?? "close"} after {held.TotalSeconds:0} s{leftover}: ") +
            F($"{Money(realized)} after ${position.EntryFees + position.ExitFees:0.00} fees.");
        Finish(position, now, ExecutionOutcomeKind.Closed, position.Quantity, summary, realized);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Finish(SpikePosition position, DateTimeOffset now, ExecutionOutcomeKind kind, decimal planned, string summary, decimal realized = 0m)
    {
        position.State = SpikePositionState.Closed;
        _positions.Remove(position.Opportunity.Id);
        MarkCooldown(position);
        foreach (var tracker in _trackers)
        {
            if (tracker.Position == position) tracker.Position = null;
        }
        var opportunity = position.Opportunity;
        var cashOut = position.EntryCost - position.ExitProceeds;
        var firstFill = position.EntryFilledAt ?? now;
        _journal.OnExecutionCompleted(new ExecutionOutcome(opportunity.Id, null, StrategyName, kind, planned, 0m,
            kind == ExecutionOutcomeKind.Closed ? position.Remaining : 0m, cashOut, position.EntryFees + position.ExitFees,
            opportunity.NetEdgePerSet * planned, realized, opportunity.DetectedAt, now, firstFill - opportunity.DetectedAt, summary));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MarkCooldown(SpikePosition position)
    {
        var until = _time.GetUtcNow() + _settings.Cooldown;
        foreach (var tracker in _trackers)
        {
            if (tracker.Market == position.Market && tracker.CooldownUntil < until) tracker.CooldownUntil = until;
        }
    }

    // ---- tracking and settings ------------------------------------------------------------------------------------

    private void TrackNewMarkets()
    {
        var registry = _hub.Registry;
        if (registry.Count == _registryCountSeen || _trackers.Count >= MaxTrackedMarkets) return;
        _registryCountSeen = registry.Count;
        foreach (var market in registry.Markets.OrderBy(m => m.Yes.Value))
        {
            if (_trackers.Count >= MaxTrackedMarkets) break;
            if (_tracked.Add((market.Venue, market.MarketKey)))
            {
                // The market's history ring is allocated now (with its block), not on its first sample.
                _trackers.Add(new Tracker(market, new SpikeDetector(_settings.DetectorParameters), Board.Track(market.Yes)));
            }
        }
    }

    private void OnSettingsChanged(SpikeHunterSettings settings)
    {
        var before = _settings;
        _settings = settings;
        if (before.DetectorParameters != settings.DetectorParameters)
        {
            // New parameters mean new statistics: every detector starts its warm-up again.
            foreach (var tracker in _trackers) tracker.Detector = new SpikeDetector(settings.DetectorParameters);
            Board.Forget();
        }
        if (before.SampleInterval != settings.SampleInterval) _timer?.Change(settings.SampleInterval, settings.SampleInterval);
    }

    // ---- words ----------------------------------------------------------------------------------------------------

    /// <summary>Which token a trade on a YES move in <paramref name="spike"/>'s direction buys.</summary>
    public static InstrumentId InstrumentToBuy(Market market, SpikeDirection spike, SpikeTradeDirection mode) =>
        (spike == SpikeDirection.Up) == (mode == SpikeTradeDirection.Follow) ? market.Yes : market.No;

    private static string Action(SpikeTradeDirection mode, SpikeDirection spike, string outcome) =>
        $"{(mode == SpikeTradeDirection.Fade ? "Faded" : "Followed")} the {(spike == SpikeDirection.Up ? "jump" : "drop")}: bought {outcome}";

    private static string Outcome(SpikePosition position) => position.BoughtYes ? "YES" : "NO";

    private static TimeSpan BookAge(OrderBook book, DateTimeOffset now) =>
        book.LastUpdateUtcTicks == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, now.UtcTicks - book.LastUpdateUtcTicks));

    private static string Money(decimal amount)
    {
        var cents = Math.Round(amount, 2, MidpointRounding.AwayFromZero);
        var text = Math.Abs(cents).ToString("0.00", CultureInfo.InvariantCulture);
        return cents < 0m ? $"\u2212${text}" : $"+${text}";
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class Tracker(Market market, SpikeDetector detector, int slot)
    {
        public Market Market { get; } = market;

        /// <summary>The market's history ring on the board.</summary>
        public int Slot { get; } = slot;
        public SpikeDetector Detector { get; set; } = detector;
        public DateTimeOffset CooldownUntil { get; set; } = DateTimeOffset.MinValue;
        public SpikePosition? Position { get; set; }
        /// <summary>The state after the market's last sample (valid when <see cref="HasLast"/>).</summary>
        public SignalState Last { get; set; }

        public bool HasLast { get; set; }
    }
}
