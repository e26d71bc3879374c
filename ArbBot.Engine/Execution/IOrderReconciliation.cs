namespace ArbBot.Engine.Execution;

/// <summary>What a venue says about our orders after a restart: which are still open, and every fill since a time.</summary>
/// <param name="OpenClientOrderIds">Client order ids of orders still working at the venue.</param>
/// <param name="Fills">Fills of our orders at or after the time asked about (the desk adds those it has not recorded).</param>
public sealed record VenueOrderReport(IReadOnlyCollection<string> OpenClientOrderIds, IReadOnlyList<Fill> Fills);

/// <summary>
/// A gateway that can tell, after a restart, which of our orders the venue still has open and which fills it made:
/// the desk compares that with its records before it trades again.
/// </summary>
public interface IOrderReconciliation
{
    /// <summary>Asks the venue for our open orders and for our fills at or after <paramref name="fillsSince"/>.</summary>
    Task<VenueOrderReport> ReportAsync(DateTimeOffset fillsSince, CancellationToken cancellationToken);
}
