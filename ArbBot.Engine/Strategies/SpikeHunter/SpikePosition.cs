using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;

namespace ArbBot.Engine.Strategies.SpikeHunter;

/// <summary>Where a spike position stands.</summary>
public enum SpikePositionState : byte
{
    /// <summary>Waiting for the risk gate's answer.</summary>
    Pending,
    /// <summary>The entry order is out.</summary>
    Entering,
    /// <summary>Held; exits are checked every sample.</summary>
    Open,
    /// <summary>An exit order is out.</summary>
    Exiting,
    Closed,
}

/// <summary>
/// One spike trade: the signal, the entry, the exit levels and how it ended. Always long the instrument it bought (YES
/// or NO); stops and targets are on that instrument's best bid — the price it can be sold at — against the entry's
/// average fill price. Hub thread only.
/// </summary>
public sealed class SpikePosition(Opportunity opportunity, Market market, InstrumentId instrument, SpikeDirection spike, SpikeTradeDirection mode,
    double volatility, string signalText, DateTimeOffset detectedAt)
{
    public Opportunity Opportunity { get; } = opportunity;
    public Market Market { get; } = market;
    /// <summary>The instrument bought (YES or NO of <see cref="Market"/>).</summary>
    public InstrumentId Instrument { get; } = instrument;
    public bool BoughtYes => Instrument == Market.Yes;
    /// <summary>The way YES moved.</summary>
    public SpikeDirection Spike { get; } = spike;
    public SpikeTradeDirection Mode { get; } = mode;
    /// <summary>The EWMA volatility (including the spike's sample) the exits are scaled by.</summary>
    public double Volatility { get; } = volatility;
    /// <summary>The signal, in words.</summary>
    public string SignalText { get; } = signalText;
    public DateTimeOffset DetectedAt { get; } = detectedAt;

    public SpikePositionState State { get; set; }
    public decimal Quantity { get; set; }
    public decimal EntryPrice { get; set; }
    public decimal EntryCost { get; set; }
    public decimal EntryFees { get; set; }
    public DateTimeOffset? OpenedAt { get; set; }
    public DateTimeOffset? EntryFilledAt { get; set; }
    public decimal StopPrice { get; set; }
    public decimal TakeProfitPrice { get; set; }
    /// <summary>The effective stop: starts at <see cref="StopPrice"/> and only ever rises (bid − trailing·vol).</summary>
    public decimal TrailingStop { get; set; }
    /// <summary>Contracts still held.</summary>
    public decimal Remaining { get; set; }
    public decimal ExitProceeds { get; set; }
    public decimal ExitFees { get; set; }
    public decimal ExitQuantity { get; set; }
    /// <summary>Why the position is being closed, once an exit has triggered (kept across retries).</summary>
    public string? ExitReason { get; set; }
    public int ExitAttempts { get; set; }
    public SingleOrderResult? Entry { get; set; }

    public decimal AverageExitPrice => ExitQuantity > 0m ? ExitProceeds / ExitQuantity : 0m;
}
