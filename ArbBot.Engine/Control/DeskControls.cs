using ArbBot.Engine.Risk;
using ArbBot.Engine.Strategies.MultiOutcomeArb;

namespace ArbBot.Engine.Control;

/// <summary>
/// The switches an admin controls: global pause, kill switch and the risk limits. Changed only through
/// <see cref="DeskCommands"/> (persisted and audited first, then applied on the hub's thread so a decision never sees
/// half a change); read from any thread: each field is an immutable value published atomically.
/// </summary>
public sealed class DeskControls
{
    private volatile ControlState _state = new(false, null, false, null, new RiskLimits());

    public ControlState State => _state;

    public bool TradingPaused => _state.TradingPaused;

    public bool KillSwitchEngaged => _state.KillSwitchEngaged;

    public RiskLimits Limits => _state.Limits;

    /// <summary>Raised after any change, on the hub's thread.</summary>
    public event Action<ControlState>? Changed;

    internal void Apply(ControlState state)
    {
        _state = state;
        Changed?.Invoke(state);
    }

    private volatile MultiOutcomeSettings _multiOutcome = new();

    /// <summary>The multi-outcome arbitrage strategy's switches (persisted under their own key).</summary>
    public MultiOutcomeSettings MultiOutcome => _multiOutcome;

    /// <summary>Raised after the multi-outcome settings change, on the hub's thread.</summary>
    public event Action<MultiOutcomeSettings>? MultiOutcomeChanged;

    internal void Apply(MultiOutcomeSettings settings)
    {
        _multiOutcome = settings;
        MultiOutcomeChanged?.Invoke(settings);
    }
}

/// <summary>One consistent view of every switch.</summary>
public sealed record ControlState(
    bool TradingPaused,
    string? PauseReason,
    bool KillSwitchEngaged,
    string? KillSwitchReason,
    RiskLimits Limits);
