using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ArbBot.Engine.Hosting;
using ArbBot.Engine.Venues.Polymarket.Auth;
using ArbBot.Engine.Venues.Polymarket.Signing;

namespace ArbBot.Engine.Venues.Polymarket.Trading;

/// <summary>A Polymarket credential that is missing, unreadable or unsafe. The message names the setting, never the value.</summary>
public sealed class PolymarketCredentialException(string message) : Exception(message);

/// <summary>
/// Trading on Polymarket's CLOB (section <c>ArbBot:Polymarket:Trading</c>): where the CLOB and its user WebSocket are,
/// the chain, how orders are signed (signature type and funder), and where the wallet key and the L2 API credentials
/// come from — the environment (e.g. <c>ArbBot__Polymarket__Trading__PrivateKey</c>) or files only their owner can
/// read. Secrets are read into <see cref="PolymarketPrivateKey"/> / <see cref="PolymarketSecret"/> and never shown:
/// <see cref="ToString"/> says only whether each is set.
/// </summary>
public sealed class PolymarketTradingOptions : IValidatableObject
{
    public const string Section = "ArbBot:Polymarket:Trading";

    /// <summary>The CLOB REST root.</summary>
    /// <value>An absolute http(s) URL. Default: https://clob.polymarket.com.</value>
    public Uri ClobUrl { get; set; } = new("https://clob.polymarket.com");

    /// <summary>The CLOB user-channel WebSocket (order and trade events of this account).</summary>
    /// <value>An absolute ws(s) URL. Default: wss://ws-subscriptions-clob.polymarket.com/ws/user.</value>
    public Uri UserWebSocketUrl { get; set; } = new("wss://ws-subscriptions-clob.polymarket.com/ws/user");

    /// <summary>The chain orders are signed for.</summary>
    /// <value>137 (Polygon, default) or 80002 (Amoy testnet).</value>
    public long ChainId { get; set; } = PolymarketExchange.Polygon;

    /// <summary>How the exchange checks signatures against the funding wallet.</summary>
    /// <value><c>Eoa</c> (default: the key's own address holds the funds), <c>PolyProxy</c>, <c>PolyGnosisSafe</c>, or <c>Poly1271</c> (deposit wallet; V2 only).</value>
    public PolymarketSignatureType SignatureType { get; set; } = PolymarketSignatureType.Eoa;

    /// <summary>The address holding the funds (the order's maker): the proxy, safe or deposit wallet. Not a secret.</summary>
    /// <value>0x + 40 hex digits. Required for every signature type but <c>Eoa</c>; for <c>Eoa</c> it must be empty or the key's address.</value>
    public string? FunderAddress { get; set; }

    /// <summary>The wallet's private key (64 hex digits), typically from <c>ArbBot__Polymarket__Trading__PrivateKey</c>.</summary>
    /// <value>Either this or <see cref="PrivateKeyPath"/>. Default: none.</value>
    [Secret]
    public string? PrivateKey { get; set; }

    /// <summary>A file holding the private key as hex; readable and writable by its owner only (chmod 600).</summary>
    /// <value>Either this or <see cref="PrivateKey"/>. Default: none.</value>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The L2 API key (a UUID; sent as POLY_API_KEY and as the order's owner). An identifier, not a secret.</summary>
    /// <value>Set with <see cref="ApiSecret"/> and <see cref="ApiPassphrase"/>, or use <see cref="ApiCredentialsPath"/>. Default: none.</value>
    public string? ApiKey { get; set; }

    /// <summary>The L2 API secret (base64), typically from <c>ArbBot__Polymarket__Trading__ApiSecret</c>.</summary>
    /// <value>Default: none.</value>
    [Secret]
    public string? ApiSecret { get; set; }

    /// <summary>The L2 API passphrase, typically from <c>ArbBot__Polymarket__Trading__ApiPassphrase</c>.</summary>
    /// <value>Default: none.</value>
    [Secret]
    public string? ApiPassphrase { get; set; }

    /// <summary>
    /// A JSON file <c>{"apiKey":…,"secret":…,"passphrase":…}</c> (what <c>polymarket derive-api-key</c> writes), owner-only.
    /// </summary>
    /// <value>Instead of the three Api* settings. Default: none.</value>
    public string? ApiCredentialsPath { get; set; }

    /// <summary>Retries of a request answered 429 (any method) or 5xx (reads and cancels) before giving up.</summary>
    /// <value>0–10, default 4.</value>
    [Range(0, 10, ErrorMessage = "ArbBot:Polymarket:Trading:MaxRetries must be between {1} and {2}.")]
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry or reconnect delay bound; doubles per attempt, with jitter.</summary>
    /// <value>00:00:00.001 to 00:01:00, default 00:00:00.500.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00", ErrorMessage = "ArbBot:Polymarket:Trading:RetryBaseDelay must be between {1} and {2}.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest retry or reconnect delay.</summary>
    /// <value>00:00:00.010 to 00:10:00, default 00:01:00.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "ArbBot:Polymarket:Trading:RetryMaxDelay must be between {1} and {2}.")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Requests per second the client allows itself (the CLOB's order limits are far higher; this keeps a runaway loop cheap).</summary>
    /// <value>1–500, default 20.</value>
    [Range(1, 500, ErrorMessage = "ArbBot:Polymarket:Trading:RequestsPerSecond must be between {1} and {2}.")]
    public int RequestsPerSecond { get; set; } = 20;

    /// <summary>
    /// How long one CLOB request may take before it is abandoned. A read or a cancel is then retried; an order's POST
    /// is not (it may have reached the book): the gateway asks the venue for the order by its hash instead.
    /// </summary>
    /// <value>00:00:00.050 to 00:01:00, default 00:00:10.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "ArbBot:Polymarket:Trading:RequestTimeout must be between {1} and {2}.")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The user socket is given up and reconnected (then reconciled over REST) after this long without any message from
    /// the venue, PONGs included: a half-open connection answers nothing and would otherwise hide every fill.
    /// </summary>
    /// <value>00:00:00.100 to 00:05:00, default 00:00:30 (three missed PONGs at the default ping interval).</value>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "ArbBot:Polymarket:Trading:SilenceTimeout must be between {1} and {2}.")]
    public TimeSpan SilenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the user socket sends its text <c>PING</c> keep-alive.</summary>
    /// <value>00:00:00.050 to 00:01:00, default 00:00:10 (what the official clients use).</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "ArbBot:Polymarket:Trading:PingInterval must be between {1} and {2}.")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an order that the venue says is done (cancelled, or matched for less than its size) waits for its trade
    /// events before the gateway asks the REST API for the missing fills.
    /// </summary>
    /// <value>00:00:00.050 to 00:05:00, default 00:00:05.</value>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00", ErrorMessage = "ArbBot:Polymarket:Trading:FillGracePeriod must be between {1} and {2}.")]
    public TimeSpan FillGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>True when a key and a complete set of API credentials are configured (not that they work).</summary>
    public bool HasCredentials =>
        (string.IsNullOrWhiteSpace(PrivateKey) != string.IsNullOrWhiteSpace(PrivateKeyPath))
        && (!string.IsNullOrWhiteSpace(ApiCredentialsPath)
            || (!string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(ApiSecret) && !string.IsNullOrWhiteSpace(ApiPassphrase)));

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SilenceTimeout <= PingInterval)
        {
            yield return new ValidationResult($"{Section}:SilenceTimeout ({SilenceTimeout}) must be longer than PingInterval ({PingInterval}): a PONG needs a ping first.", [nameof(SilenceTimeout)]);
        }
        if (ChainId is not (PolymarketExchange.Polygon or PolymarketExchange.Amoy))
        {
            yield return new ValidationResult($"{Section}:ChainId must be 137 (Polygon) or 80002 (Amoy).", [nameof(ChainId)]);
        }
        if (!Enum.IsDefined(SignatureType))
        {
            yield return new ValidationResult($"{Section}:SignatureType must be Eoa, PolyProxy, PolyGnosisSafe or Poly1271.", [nameof(SignatureType)]);
        }
        if (!ClobUrl.IsAbsoluteUri || ClobUrl.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult($"{Section}:ClobUrl must be an absolute http(s) URL.", [nameof(ClobUrl)]);
        }
        if (!UserWebSocketUrl.IsAbsoluteUri || UserWebSocketUrl.Scheme is not ("ws" or "wss"))
        {
            yield return new ValidationResult($"{Section}:UserWebSocketUrl must be an absolute ws(s) URL.", [nameof(UserWebSocketUrl)]);
        }
        if (!string.IsNullOrWhiteSpace(FunderAddress))
        {
            string? problem = null;
            try
            {
                PolymarketAddress.Parse(FunderAddress.Trim());
            }
            catch (FormatException e)
            {
                problem = e.Message;
            }
            if (problem is not null) yield return new ValidationResult($"{Section}:FunderAddress: {problem}", [nameof(FunderAddress)]);
        }
        else if (SignatureType != PolymarketSignatureType.Eoa && Enum.IsDefined(SignatureType))
        {
            yield return new ValidationResult($"{Section}:FunderAddress is required for signature type {SignatureType} (the wallet that holds the funds).", [nameof(FunderAddress)]);
        }
        if (RetryMaxDelay < RetryBaseDelay)
        {
            yield return new ValidationResult($"{Section}:RetryMaxDelay must not be shorter than RetryBaseDelay.", [nameof(RetryMaxDelay)]);
        }
    }

    /// <summary>Loads the wallet key from <see cref="PrivateKey"/> or <see cref="PrivateKeyPath"/>.</summary>
    /// <exception cref="PolymarketCredentialException">Neither or both are set, the file is unsafe, or the key is malformed.</exception>
    public PolymarketPrivateKey LoadPrivateKey()
    {
        var hasValue = !string.IsNullOrWhiteSpace(PrivateKey);
        var hasPath = !string.IsNullOrWhiteSpace(PrivateKeyPath);
        if (hasValue == hasPath)
        {
            throw new PolymarketCredentialException(hasValue
                ? $"Set only one of {Section}:PrivateKey and {Section}:PrivateKeyPath."
                : $"Set {Section}:PrivateKey (e.g. environment variable ArbBot__Polymarket__Trading__PrivateKey) or {Section}:PrivateKeyPath.");
        }
        var text = hasValue ? PrivateKey! : OwnerOnlyFile.ReadAllText(PrivateKeyPath!, "Polymarket private key");
        try
        {
            return PolymarketPrivateKey.FromHex(text);
        }
        catch (FormatException e)
        {
            // FromHex's messages never quote the key.
            throw new PolymarketCredentialException($"{(hasValue ? $"{Section}:PrivateKey" : $"Polymarket private key file '{PrivateKeyPath}'")}: {e.Message}");
        }
    }

    /// <summary>Loads the L2 API credentials; null when none are configured (they can then be derived with the key).</summary>
    /// <exception cref="PolymarketCredentialException">A partial set, an unsafe or unreadable file.</exception>
    public PolymarketApiCredentials? LoadApiCredentials()
    {
        var inline = new[] { ApiKey, ApiSecret, ApiPassphrase }.Count(v => !string.IsNullOrWhiteSpace(v));
        var hasFile = !string.IsNullOrWhiteSpace(ApiCredentialsPath);
        if (inline > 0 && hasFile) throw new PolymarketCredentialException($"Set either {Section}:ApiKey/ApiSecret/ApiPassphrase or {Section}:ApiCredentialsPath, not both.");
        if (hasFile) return ReadCredentialsFile(ApiCredentialsPath!);
        if (inline == 0) return null;
        if (inline < 3) throw new PolymarketCredentialException($"{Section}:ApiKey, ApiSecret and ApiPassphrase must be set together.");
        return new PolymarketApiCredentials(ApiKey!.Trim(), new PolymarketSecret(ApiSecret!.Trim()), new PolymarketSecret(ApiPassphrase!.Trim()));
    }

    /// <summary>The order's maker for a signing key: the funder when set, else the key's own address.</summary>
    public PolymarketAddress Funder(PolymarketAddress signer)
    {
        if (string.IsNullOrWhiteSpace(FunderAddress)) return signer;
        var funder = PolymarketAddress.Parse(FunderAddress.Trim());
        if (SignatureType == PolymarketSignatureType.Eoa && funder != signer)
        {
            throw new PolymarketCredentialException($"{Section}:FunderAddress {funder} differs from the key's address {signer}, but signature type Eoa signs for the key's own wallet; choose PolyProxy, PolyGnosisSafe or Poly1271.");
        }
        return funder;
    }

    /// <summary>Writes credentials to an owner-only JSON file (mode 600), replacing it; the format <see cref="ApiCredentialsPath"/> reads.</summary>
    public static void WriteCredentialsFile(string path, PolymarketApiCredentials credentials)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(credentials);
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["apiKey"] = credentials.ApiKey,
            ["secret"] = credentials.Secret.Reveal(),
            ["passphrase"] = credentials.Passphrase.Reveal(),
        });
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // Created owner-only from the first byte: chmod after writing would leave a window where others can read it.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(json);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static PolymarketApiCredentials ReadCredentialsFile(string path)
    {
        var text = OwnerOnlyFile.ReadAllText(path, "Polymarket API credentials");
        try
        {
            using var doc = JsonDocument.Parse(text);
            string Field(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
                ? v.GetString()!
                : throw new PolymarketCredentialException($"Polymarket API credentials file '{path}' has no \"{name}\".");
            return new PolymarketApiCredentials(Field("apiKey"), new PolymarketSecret(Field("secret")), new PolymarketSecret(Field("passphrase")));
        }
        catch (JsonException)
        {
            // JsonException messages can quote the offending text.
            throw new PolymarketCredentialException($"Polymarket API credentials file '{path}' is not JSON of the form {{\"apiKey\",\"secret\",\"passphrase\"}}.");
        }
    }

    /// <summary>Never shows a secret: says whether each is set and where from.</summary>
    public override string ToString() =>
        $"PolymarketTradingOptions(ClobUrl={ClobUrl}, UserWebSocketUrl={UserWebSocketUrl}, ChainId={ChainId}, SignatureType={SignatureType}, " +
        $"FunderAddress={FunderAddress ?? "none"}, PrivateKey={Shown(PrivateKey, PrivateKeyPath)}, ApiKey={ApiKey ?? "none"}, " +
        $"ApiSecret={Shown(ApiSecret, ApiCredentialsPath)}, ApiPassphrase={Shown(ApiPassphrase, ApiCredentialsPath)})";

    private static string Shown(string? value, string? path) =>
        !string.IsNullOrWhiteSpace(value) ? "***" : !string.IsNullOrWhiteSpace(path) ? "file" : "none";
}

/// <summary>Reads secret files, refusing any that its group or others could read or write.</summary>
internal static class OwnerOnlyFile
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static string ReadAllText(string path, string what)
    {
        if (!File.Exists(path)) throw new PolymarketCredentialException($"{what} file '{path}' does not exist.");
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                var octal = Convert.ToString((int)mode, 8).PadLeft(4, '0');
                throw new PolymarketCredentialException($"{what} file '{path}' has mode {octal}, which lets group or others at it; restrict it to its owner (chmod 600).");
            }
        }
        return File.ReadAllText(path).Trim();
    }
}
