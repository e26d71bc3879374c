using ArbBot.Engine.Venues.Polymarket.Trading;
using ArbBot.Tests.Fixtures;
using ArbBot.Web.Venues;
using Microsoft.Extensions.Configuration;

namespace ArbBot.Tests.Web.Venues;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PolymarketCommandTests
{
    [Fact]
    public async Task Derive_api_key_writes_an_owner_only_file_and_prints_no_secret()
    {
        var state = new FakePolymarketExchangeState();
        await using var host = await FakePolymarketExchange.StartAsync(state);
        var folder = Directory.CreateTempSubdirectory("polycmd-").FullName;
        try
        {
            var path = Path.Combine(folder, "creds.json");
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ArbBot:Polymarket:Trading:ClobUrl"] = host.ClobUrl.ToString(),
                ["ArbBot:Polymarket:Trading:PrivateKey"] = FakePolymarketExchangeState.PrivateKeyHex,
            }).Build();
            using var output = new StringWriter();
            using var error = new StringWriter();

            var code = await PolymarketCommand.RunAsync(["derive-api-key", "--out", path], configuration, output, error, CancellationToken.None);

            Assert.Equal(0, code);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var loaded = new PolymarketTradingOptions { ApiCredentialsPath = path }.LoadApiCredentials()!;
            Assert.Equal(state.Credentials.ApiKey, loaded.ApiKey);
            var printed = output + error.ToString();
            Assert.Contains(state.Credentials.ApiKey, printed, StringComparison.Ordinal);
            Assert.Contains("ApiCredentialsPath", printed, StringComparison.Ordinal);
            Assert.DoesNotContain(state.Credentials.Secret.Reveal(), printed, StringComparison.Ordinal);
            Assert.DoesNotContain(state.Credentials.Passphrase.Reveal(), printed, StringComparison.Ordinal);

            using var noKey = new StringWriter();
            Assert.Equal(1, await PolymarketCommand.RunAsync(["derive-api-key"], new ConfigurationBuilder().Build(), output, noKey, CancellationToken.None));
            Assert.Contains("PrivateKey", noKey.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
