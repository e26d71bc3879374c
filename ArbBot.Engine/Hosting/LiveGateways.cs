using ArbBot.Engine.Control;
using ArbBot.Engine.Core;
using ArbBot.Engine.Execution;
using ArbBot.Engine.Observability;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket;
using ArbBot.Engine.Venues.Polymarket.Trading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArbBot.Engine.Hosting;

/// <summary>
/// The venues' real gateways for live trading: <see cref="KalshiOrderGateway"/> on the real Kalshi venue's signed
/// client (with its private fill and order channels), and <see cref="PolymarketOrderGateway"/> with the wallet key and
/// L2 credentials of <c>ArbBot:Polymarket:Trading</c> (with its user channel). Opened on the first arming, kept for
/// the process's life (orders placed live keep reporting after a disarm), closed with the container.
/// </summary>
public sealed class LiveGateways(
    VenueSet venues,
    IOptions<VenuesOptions> venueOptions,
    IOptions<PolymarketTradingOptions> polymarketTrading,
    InstrumentRegistry registry,
    HubExecutionListener listener,
    VenueApiHealth health,
    TimeProvider time,
    ILoggerFactory loggers) : ILiveGateways, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<IAsyncDisposable> _owned = [];
    private IReadOnlyDictionary<VenueId, IOrderGateway>? _open;

    /// <inheritdoc />
    public IReadOnlyList<CommandError> MissingRequirements()
    {
        var missing = new List<CommandError>();
        var enabled = venueOptions.Value.Enabled.ToList();
        foreach (var (venue, options) in enabled)
        {
            var field = $"{VenuesOptions.Section}:{venue}:Source";
            if (options.Source != DataSource.Real)
            {
                missing.Add(new CommandError(field, $"{venue.DisplayName()} reads {options.Source} data; live trading needs {field} = Real (or disable the venue)."));
                continue;
            }
            if (venue == VenueId.Kalshi && venues.Venues.OfType<KalshiVenue>().FirstOrDefault() is not { Signer: not null })
            {
                missing.Add(new CommandError(KalshiOptions.Section, $"Kalshi has no trading key: set {KalshiOptions.Section}:KeyId and {KalshiOptions.Section}:PrivateKeyPem or PrivateKeyPath."));
            }
            if (venue == VenueId.Polymarket && PolymarketProblem() is { } problem)
            {
                missing.Add(new CommandError(PolymarketTradingOptions.Section, problem));
            }
        }
        return missing;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<VenueId, IOrderGateway>> OpenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_open is not null) return _open;
            var opened = new Dictionary<VenueId, IOrderGateway>();
            var owned = new List<IAsyncDisposable>();
            try
            {
                foreach (var (venue, _) in venueOptions.Value.Enabled)
                {
                    opened[venue] = venue switch
                    {
                        VenueId.Kalshi => await OpenKalshiAsync(owned, cancellationToken).ConfigureAwait(false),
                        VenueId.Polymarket => await OpenPolymarketAsync(owned, cancellationToken).ConfigureAwait(false),
                        _ => throw new LiveGatewayException("venue", $"{venue} cannot trade live."),
                    };
                }
            }
            catch
            {
                foreach (var gateway in owned) await gateway.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            _owned.AddRange(owned);
            _open = opened;
            return opened;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IOrderGateway> OpenKalshiAsync(List<IAsyncDisposable> owned, CancellationToken cancellationToken)
    {
        var venue = venues.Venues.OfType<KalshiVenue>().Single();
        var gateway = KalshiOrderGateway.For(venue, registry, time, listener, loggers);
        var stop = new CancellationTokenSource();
        var run = Task.Run(() => gateway.RunAsync(stop.Token), CancellationToken.None);
        owned.Add(new Owned(async () =>
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            gateway.Dispose();
            stop.Dispose();
        }));
        try
        {
            await gateway.GetBalanceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KalshiApiException e)
        {
            throw new LiveGatewayException(KalshiOptions.Section, $"Kalshi refused the trading credentials ({(int)e.Status} {e.Code}); check {KalshiOptions.Section}:KeyId and the private key.");
        }
        catch (HttpRequestException e)
        {
            throw new LiveGatewayException(KalshiOptions.Section, $"Kalshi could not be reached to check the trading credentials: {e.Message}");
        }
        return gateway;
    }

    private async Task<IOrderGateway> OpenPolymarketAsync(List<IAsyncDisposable> owned, CancellationToken cancellationToken)
    {
        var options = polymarketTrading.Value;
        var logger = loggers.CreateLogger<PolymarketOrderGateway>();
        var key = options.LoadPrivateKey();
        var credentials = options.LoadApiCredentials() ?? throw new LiveGatewayException(PolymarketTradingOptions.Section, "Polymarket has no L2 API credentials.");
        var http = new HttpClient(new VenueApiHealthHandler(health, VenueId.Polymarket)
        {
            InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
        });
        var client = new PolymarketClobTradingClient(http, options, key, credentials, time, logger);
        var fees = venues.Venues.FirstOrDefault(v => v.Id == VenueId.Polymarket)?.FeeModel ?? new PolymarketFeeModel();
        var gateway = new PolymarketOrderGateway(client, PolymarketOrderFactory.FromOptions(options, key, time), registry, fees, options, time, listener, logger);
        owned.Add(new Owned(async () =>
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
            http.Dispose();
        }));
        try
        {
            // Reads the exchange version and the balance (an L2-authenticated call), then follows the user channel.
            await gateway.StartAsync(new PolymarketUserChannel(options, credentials, time, logger), cancellationToken).ConfigureAwait(false);
        }
        catch (Venues.Polymarket.Trading.PolymarketApiException e)
        {
            throw new LiveGatewayException(PolymarketTradingOptions.Section, $"Polymarket refused the trading credentials ({(int)e.Status}); check {PolymarketTradingOptions.Section}.");
        }
        catch (HttpRequestException e)
        {
            throw new LiveGatewayException(PolymarketTradingOptions.Section, $"Polymarket could not be reached to check the trading credentials: {e.Message}");
        }
        return gateway;
    }

    // Loads the key and credentials to prove they work; the message names settings and files, never values.
    private string? PolymarketProblem()
    {
        var options = polymarketTrading.Value;
        try
        {
            var key = options.LoadPrivateKey();
            options.Funder(key.Address);
            if (options.LoadApiCredentials() is null)
            {
                return $"Polymarket has no L2 API credentials: set {PolymarketTradingOptions.Section}:ApiKey, ApiSecret and ApiPassphrase, or ApiCredentialsPath " +
                    "(dotnet run --project ArbBot.Web -- polymarket derive-api-key writes that file).";
            }
            return null;
        }
        catch (PolymarketCredentialException e)
        {
            return $"Polymarket trading credentials: {e.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _owned) await gateway.DisposeAsync().ConfigureAwait(false);
        _owned.Clear();
        _gate.Dispose();
    }

    private sealed class Owned(Func<Task> dispose) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await dispose().ConfigureAwait(false);
    }
}
