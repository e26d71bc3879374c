namespace ArbBot.Engine.Venues.Polymarket.Auth;

/// <summary>
/// A credential value (API secret, passphrase) that must not reach logs: <see cref="ToString"/> says "***" and the
/// value is only readable inside the engine, where headers are built.
/// </summary>
public sealed class PolymarketSecret
{
    private readonly string _value;

    /// <summary>Wraps a non-empty value.</summary>
    public PolymarketSecret(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException("A secret must not be empty.", nameof(value));
        _value = value;
    }

    internal string Reveal() => _value;

    /// <inheritdoc />
    public override string ToString() => "***";
}

/// <summary>The L2 API credentials the CLOB issues for a wallet (POST /auth/api-key or GET /auth/derive-api-key).</summary>
public sealed record PolymarketApiCredentials(string ApiKey, PolymarketSecret Secret, PolymarketSecret Passphrase);
