namespace ArbBot.Engine.Persistence;

// Rows the engine writes through the batching RecordWriter. Money and quantities are decimal; times UTC.
// Lists (legs, reasons) are stored as JSON text: they are read back whole, never queried inside.

/// <summary>An admin-approved (or suggested) cross-venue pair.</summary>
public sealed class PairRow
{
    public long Id { get; set; }
    public required string KalshiMarketKey { get; set; }
    public required string PolymarketMarketKey { get; set; }
    public required string Mapping { get; set; }
    public required string Status { get; set; }
    public double Score { get; set; }
    public string ReasonsJson { get; set; } = "[]";
    public string WarningsJson { get; set; } = "[]";
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
    public string? ApprovedBy { get; set; }
}

public sealed class OpportunityRow
{
    public long Id { get; set; }
    public required string Strategy { get; set; }
    public long? PairId { get; set; }
    public DateTime DetectedUtc { get; set; }
    public decimal Quantity { get; set; }
    public decimal GrossEdgePerSet { get; set; }
    public decimal TotalCosts { get; set; }
    public decimal NetEdgePerSet { get; set; }
    public decimal ExpectedProfit { get; set; }
    public required string Decision { get; set; }
    public required string Reason { get; set; }
    public string LegsJson { get; set; } = "[]";
}

/// <summary>An order as it stands now; every change is also in <see cref="OrderTransitionRow"/>.</summary>
public sealed class OrderRow
{
    public required string ClientOrderId { get; set; }
    public long? OpportunityId { get; set; }
    public long? PairId { get; set; }
    public required string Role { get; set; }
    public required string Venue { get; set; }
    public required string Symbol { get; set; }
    public required string Side { get; set; }
    public decimal LimitPrice { get; set; }
    public decimal Quantity { get; set; }
    public required string TimeInForce { get; set; }
    public required string Status { get; set; }
    public decimal FilledQuantity { get; set; }
    public string? Reason { get; set; }
    public DateTime CreatedUtc { get; set; }
    public DateTime UpdatedUtc { get; set; }
}

public sealed class OrderTransitionRow
{
    public long Id { get; set; }
    public required string ClientOrderId { get; set; }
    public required string FromStatus { get; set; }
    public required string ToStatus { get; set; }
    public decimal FilledQuantity { get; set; }
    public string? Reason { get; set; }
    public DateTime AtUtc { get; set; }
}

public sealed class FillRow
{
    public required string FillId { get; set; }
    public required string ClientOrderId { get; set; }
    public long? OpportunityId { get; set; }
    public long? PairId { get; set; }
    public required string Venue { get; set; }
    public required string Symbol { get; set; }
    public required string Side { get; set; }
    public decimal Price { get; set; }
    public decimal Quantity { get; set; }
    public decimal Fee { get; set; }
    public required string Liquidity { get; set; }
    public DateTime AtUtc { get; set; }
}

/// <summary>How one execution of an opportunity ended: the trade as a person reads it.</summary>
public sealed class ExecutionRow
{
    public long OpportunityId { get; set; }
    public long? PairId { get; set; }
    public required string Strategy { get; set; }
    public required string Kind { get; set; }
    public decimal PlannedQuantity { get; set; }
    public decimal HedgedQuantity { get; set; }
    public decimal ResidualQuantity { get; set; }
    public decimal NetCashOut { get; set; }
    public decimal Fees { get; set; }
    public decimal ExpectedProfit { get; set; }
    public decimal LockedProfit { get; set; }
    public DateTime DetectedUtc { get; set; }
    public DateTime CompletedUtc { get; set; }
    public double DetectionToLastFillMs { get; set; }
    public required string Summary { get; set; }
}

public sealed class RiskEventRow
{
    public long Id { get; set; }
    public DateTime AtUtc { get; set; }
    public required string Rule { get; set; }
    public required string Verdict { get; set; }
    public long? OpportunityId { get; set; }
    public long? PairId { get; set; }
    public required string Detail { get; set; }
}

/// <summary>The latest state of one position (rewritten as it changes).</summary>
public sealed class PositionRow
{
    public required string Venue { get; set; }
    public required string Symbol { get; set; }
    public decimal Quantity { get; set; }
    public decimal AverageCost { get; set; }
    public decimal Fees { get; set; }
    public decimal RealizedPnl { get; set; }
    public DateTime UpdatedUtc { get; set; }
}

public sealed class PnlSnapshotRow
{
    public long Id { get; set; }
    public DateTime AtUtc { get; set; }
    public decimal RealizedPnl { get; set; }
    public decimal UnrealizedPnl { get; set; }
    public decimal Equity { get; set; }
    public decimal DailyPnl { get; set; }
    public decimal Drawdown { get; set; }
    public decimal Fees { get; set; }
}

/// <summary>A saved replay report: headline figures as columns (the list), the curve, trades and hedge statistics as JSON (the detail).</summary>
public sealed class ReplayReportRow
{
    public long Id { get; set; }
    /// <summary>The replayed file or folder, relative to the recordings folder when inside it.</summary>
    public required string Source { get; set; }
    public DateTime StartedUtc { get; set; }
    public DateTime CompletedUtc { get; set; }
    public required string StartedBy { get; set; }
    public DateTime ReplayFromUtc { get; set; }
    public DateTime ReplayToUtc { get; set; }
    public long Events { get; set; }
    public int Trades { get; set; }
    public decimal FinalPnl { get; set; }
    public decimal MaxDrawdown { get; set; }
    public double? Sharpe { get; set; }
    public double HitRate { get; set; }
    public required string ReportJson { get; set; }
}

/// <summary>A persisted setting the dashboard can change (risk limits, pause, kill switch), as JSON.</summary>
public sealed class SettingRow
{
    public required string Key { get; set; }
    public required string ValueJson { get; set; }
    public DateTime UpdatedUtc { get; set; }
    public required string UpdatedBy { get; set; }
}
