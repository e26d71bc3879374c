using ArbBot.Engine.Core;

namespace ArbBot.Engine.Execution;

/// <summary>
/// One venue's order gateway as the executors see it: orders go to the paper gateway, or, while live trading is armed,
/// to the venue's real gateway. The route is changed only on the hub's thread (where the executors place orders), and
/// only when no execution is in flight, so one execution never has legs on both.
/// </summary>
/// <remarks>
/// Cancels go to both gateways: an order placed before a switch is cancelled where it lives, and each gateway ignores
/// ids it never placed. Updates and fills need no routing: every gateway reports to the same listener.
/// </remarks>
public sealed class RoutedOrderGateway(IOrderGateway paper) : IOrderGateway, IOrderReconciliation
{
    private volatile IOrderGateway? _live;
    private volatile IOrderGateway? _lastLive;

    /// <summary>The paper gateway, used whenever live trading is not armed.</summary>
    public IOrderGateway Paper { get; } = paper ?? throw new ArgumentNullException(nameof(paper));

    /// <summary>The real gateway new orders go to, or null while on paper.</summary>
    public IOrderGateway? Live => _live;

    /// <inheritdoc />
    public VenueId Venue => Paper.Venue;

    /// <summary>The live gateway's order stream (fills and order updates), or null while on paper or when it has none.</summary>
    public OrderStreamStatus? LiveOrderStream => (_live as IOrderStreamHealth)?.OrderStream;

    /// <inheritdoc />
    public bool IsPaper => _live is null;

    /// <summary>Sends new orders to <paramref name="live"/> (null: back to paper). Call on the hub's thread, between executions.</summary>
    public void Route(IOrderGateway? live)
    {
        if (live is not null && live.Venue != Venue) throw new ArgumentException($"A {live.Venue} gateway cannot route {Venue} orders.", nameof(live));
        if (live is not null) _lastLive = live;
        _live = live;
    }

    /// <inheritdoc />
    public ValueTask PlaceAsync(OrderRequest request, CancellationToken cancellationToken) =>
        (_live ?? Paper).PlaceAsync(request, cancellationToken);

    /// <inheritdoc />
    public async ValueTask CancelAsync(string clientOrderId, CancellationToken cancellationToken)
    {
        await Paper.CancelAsync(clientOrderId, cancellationToken).ConfigureAwait(false);
        if (_lastLive is { } live) await live.CancelAsync(clientOrderId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask CancelAllAsync(CancellationToken cancellationToken)
    {
        await Paper.CancelAllAsync(cancellationToken).ConfigureAwait(false);
        if (_lastLive is { } live) await live.CancelAllAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What both gateways hold: our open orders and fills on paper and, once live trading has been armed, at the venue.
    /// Reconciliation after a restart compares the records with all of it.
    /// </summary>
    public async Task<VenueOrderReport> ReportAsync(DateTimeOffset fillsSince, CancellationToken cancellationToken)
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        var fills = new List<Fill>();
        foreach (var gateway in new[] { Paper, _lastLive })
        {
            if (gateway is not IOrderReconciliation reconciliation) continue;
            var report = await reconciliation.ReportAsync(fillsSince, cancellationToken).ConfigureAwait(false);
            open.UnionWith(report.OpenClientOrderIds);
            fills.AddRange(report.Fills);
        }
        return new VenueOrderReport(open, fills);
    }
}
