using ArbBot.Engine.Venues.Polymarket.Trading;

namespace ArbBot.Web.Venues;

/// <summary>
/// <c>dotnet run --project ArbBot.Web -- polymarket derive-api-key [--create] [--out PATH]</c>: signs the L1 ClobAuth
/// message with the configured wallet key (<c>ArbBot:Polymarket:Trading</c>), derives the wallet's CLOB API credentials
/// (creating them when none exist, or always with <c>--create</c>), and writes them to an owner-only file. Only the
/// API key id and the file's path are printed: the secret and passphrase never reach the console or a log.
/// </summary>
public static class PolymarketCommand
{
    public const string Verb = "polymarket";

    public static async Task<int> RunAsync(string[] args, IConfiguration configuration, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configuration);
        if (args is not ["derive-api-key", ..])
        {
            error.WriteLine("Usage: polymarket derive-api-key [--create] [--out PATH]");
            return 2;
        }
        var options = new PolymarketTradingOptions();
        configuration.GetSection(PolymarketTradingOptions.Section).Bind(options);
        var outIndex = Array.IndexOf(args, "--out");
        var path = Path.GetFullPath(outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1]
            : options.ApiCredentialsPath ?? "polymarket-api-credentials.json");
        try
        {
            var key = options.LoadPrivateKey();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var client = new PolymarketClobTradingClient(http, options, key, null, TimeProvider.System);
            var credentials = args.Contains("--create")
                ? await client.CreateApiKeyAsync(0, cancellationToken)
                : await client.DeriveOrCreateApiKeyAsync(0, cancellationToken);
            PolymarketTradingOptions.WriteCredentialsFile(path, credentials);
            output.WriteLine($"Polymarket API key {credentials.ApiKey} for wallet {key.Address} written to {path} (readable by its owner only).");
            output.WriteLine($"Use it with {PolymarketTradingOptions.Section}:ApiCredentialsPath = {path} (environment: ArbBot__Polymarket__Trading__ApiCredentialsPath).");
            output.WriteLine("The secret and passphrase are in that file only; keep it out of version control.");
            return 0;
        }
        catch (Exception e) when (e is PolymarketCredentialException or PolymarketApiException or IOException or UnauthorizedAccessException or HttpRequestException or TaskCanceledException)
        {
            // These messages name settings, paths and statuses, never a key or secret.
            error.WriteLine($"polymarket derive-api-key failed: {e.Message}");
            return 1;
        }
    }
}
