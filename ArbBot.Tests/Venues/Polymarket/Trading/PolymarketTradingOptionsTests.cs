using System.ComponentModel.DataAnnotations;
using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Polymarket.Signing;
using ArbBot.Engine.Venues.Polymarket.Trading;

namespace ArbBot.Tests.Venues.Polymarket.Trading;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PolymarketTradingOptionsTests : IDisposable
{
    private const string PrivateKeyHex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    private const string Secret = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1uZXZlci1sZWFr";
    private readonly string _folder = Directory.CreateTempSubdirectory("polytrade-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Defaults_point_at_polymarket_on_polygon_with_eoa_signing()
    {
        var options = new PolymarketTradingOptions();
        Assert.Equal("ArbBot:Polymarket:Trading", PolymarketTradingOptions.Section);
        Assert.Equal(new Uri("https://clob.polymarket.com"), options.ClobUrl);
        Assert.Equal(new Uri("wss://ws-subscriptions-clob.polymarket.com/ws/user"), options.UserWebSocketUrl);
        Assert.Equal(137, options.ChainId);
        Assert.Equal(PolymarketSignatureType.Eoa, options.SignatureType);
        Assert.Empty(Validate(options));
    }

    [Fact]
    public void Key_and_credentials_load_from_settings_and_never_show()
    {
        var options = new PolymarketTradingOptions { PrivateKey = PrivateKeyHex, ApiKey = "key-1", ApiSecret = Secret, ApiPassphrase = "pass-phrase-42" };

        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", options.LoadPrivateKey().Address.ToString());
        var credentials = options.LoadApiCredentials()!;
        Assert.Equal("key-1", credentials.ApiKey);
        var text = options + " " + credentials;
        Assert.DoesNotContain("ac0974", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("pass-phrase-42", text, StringComparison.Ordinal);
        Assert.Contains("PrivateKey=***", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Owner_only_files_are_read_and_looser_ones_refused_without_quoting_them()
    {
        var keyFile = Path.Combine(_folder, "key");
        File.WriteAllText(keyFile, PrivateKeyHex);
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var credentialsFile = Path.Combine(_folder, "creds.json");
        PolymarketTradingOptions.WriteCredentialsFile(credentialsFile, new PolymarketApiCredentials("key-2", new PolymarketSecret(Secret), new PolymarketSecret("pp")));
        var options = new PolymarketTradingOptions { PrivateKeyPath = keyFile, ApiCredentialsPath = credentialsFile };

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentialsFile));
        Assert.True(options.HasCredentials);
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", options.LoadPrivateKey().Address.ToString());
        Assert.Equal("key-2", options.LoadApiCredentials()!.ApiKey);

        foreach (var loose in new[] { UnixFileMode.GroupRead, UnixFileMode.OtherRead, UnixFileMode.GroupWrite })
        {
            File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | loose);
            File.SetUnixFileMode(credentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | loose);
            var keyError = Assert.Throws<PolymarketCredentialException>(() => options.LoadPrivateKey());
            var credentialsError = Assert.Throws<PolymarketCredentialException>(() => options.LoadApiCredentials());
            Assert.Contains("chmod 600", keyError.Message, StringComparison.Ordinal);
            Assert.Contains("chmod 600", credentialsError.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("ac0974", keyError.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Secret, credentialsError.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bad_or_partial_settings_are_refused_with_a_clear_message()
    {
        Assert.Contains("ArbBot__Polymarket__Trading__PrivateKey", Assert.Throws<PolymarketCredentialException>(() => new PolymarketTradingOptions().LoadPrivateKey()).Message, StringComparison.Ordinal);
        Assert.Throws<PolymarketCredentialException>(() => new PolymarketTradingOptions { PrivateKey = PrivateKeyHex, PrivateKeyPath = "/x" }.LoadPrivateKey());
        var malformed = Assert.Throws<PolymarketCredentialException>(() => new PolymarketTradingOptions { PrivateKey = "0xnot-a-key-ac0974" }.LoadPrivateKey());
        Assert.DoesNotContain("ac0974", malformed.Message, StringComparison.Ordinal);
        Assert.Throws<PolymarketCredentialException>(() => new PolymarketTradingOptions { ApiKey = "k", ApiSecret = Secret }.LoadApiCredentials());
        Assert.Null(new PolymarketTradingOptions().LoadApiCredentials());

        Assert.Contains(Validate(new PolymarketTradingOptions { ChainId = 1 }), m => m.Contains("ChainId", StringComparison.Ordinal));
        Assert.Contains(Validate(new PolymarketTradingOptions { SignatureType = PolymarketSignatureType.PolyGnosisSafe }), m => m.Contains("FunderAddress is required", StringComparison.Ordinal));
        Assert.Contains(Validate(new PolymarketTradingOptions { FunderAddress = "0x123" }), m => m.Contains("FunderAddress", StringComparison.Ordinal));
        Assert.Contains(Validate(new PolymarketTradingOptions { MaxRetries = 11 }), m => m.Contains("MaxRetries", StringComparison.Ordinal));
        var eoaWithOtherFunder = new PolymarketTradingOptions { FunderAddress = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" };
        Assert.Throws<PolymarketCredentialException>(() => eoaWithOtherFunder.Funder(PolymarketPrivateKey.FromHex(PrivateKeyHex).Address));
    }

    private static List<string> Validate(PolymarketTradingOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }
}
