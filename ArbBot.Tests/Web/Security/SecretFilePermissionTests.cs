using System.Security.Cryptography;
using ArbBot.Engine.Notifications;
using ArbBot.Engine.Venues.Kalshi;
using ArbBot.Engine.Venues.Polymarket.Trading;
using ArbBot.Tests.Fixtures;

namespace ArbBot.Tests.Web.Security;

/// <summary>Every setting that names a file holding a secret refuses a file its group or others may read or change.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecretFilePermissionTests
{
    /// <summary>Each secret file option: what the file holds and how the desk loads it.</summary>
    public static TheoryData<string> Options() => ["Kalshi PrivateKeyPath", "Polymarket PrivateKeyPath", "Polymarket ApiCredentialsPath",
        "Notifications DiscordWebhookUrlFile", "Notifications TelegramBotTokenFile"];

    [Theory]
    [MemberData(nameof(Options))]
    public void A_secret_file_others_can_read_or_change_is_refused_naming_it_and_an_owner_only_one_is_used(string option)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Content(option));
            foreach (var loose in new[] { UnixFileMode.GroupRead, UnixFileMode.OtherRead, UnixFileMode.GroupWrite, UnixFileMode.OtherWrite })
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | loose);
                var refused = Record.Exception(() => Load(option, path));
                Assert.True(refused is not null, $"{option} accepted a file with {loose}");
                Assert.Contains(path, refused.Message, StringComparison.Ordinal);
                Assert.Contains("chmod 600", refused.Message, StringComparison.Ordinal);
            }

            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Load(option, path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Content(string option) => option switch
    {
        "Kalshi PrivateKeyPath" => RSA.Create(2048).ExportRSAPrivateKeyPem(),
        "Polymarket PrivateKeyPath" => FakePolymarketExchangeState.PrivateKeyHex,
        "Polymarket ApiCredentialsPath" => """{"apiKey":"k","secret":"c2VjcmV0","passphrase":"p"}""",
        "Notifications DiscordWebhookUrlFile" => "https://discord.example/api/webhooks/1/token",
        _ => "123:token",
    };

    private static void Load(string option, string path)
    {
        switch (option)
        {
            case "Kalshi PrivateKeyPath":
                KalshiRequestSigner.FromPemFile("key-id", path, TimeProvider.System);
                break;
            case "Polymarket PrivateKeyPath":
                new PolymarketTradingOptions { PrivateKeyPath = path }.LoadPrivateKey();
                break;
            case "Polymarket ApiCredentialsPath":
                Assert.NotNull(new PolymarketTradingOptions { ApiCredentialsPath = path }.LoadApiCredentials());
                break;
            case "Notifications DiscordWebhookUrlFile":
                Assert.True(new NotificationSecrets(new NotificationOptions { DiscordWebhookUrlFile = path }).DiscordConfigured);
                break;
            default:
                Assert.True(new NotificationSecrets(new NotificationOptions { TelegramBotTokenFile = path }).TelegramConfigured);
                break;
        }
    }
}
