using System.Numerics;
using ArbBot.Engine.Venues.Polymarket.Signing;

namespace ArbBot.Engine.Venues.Polymarket.Auth;

/// <summary>
/// The L1 (wallet) proof the CLOB asks for to create or derive API keys: an EIP-712 ClobAuth message under the
/// domain {name "ClobAuthDomain", version "1", chainId} — which has no verifying contract.
/// </summary>
public static class PolymarketClobAuth
{
    /// <summary>The fixed text the venue expects in the message.</summary>
    public const string AttestationMessage = "This message attests that I control the given wallet";

    /// <summary>ClobAuth(address address,string timestamp,uint256 nonce,string message).</summary>
    public static PolymarketEip712Type Type { get; } = new("ClobAuth",
        [new("address", "address"), new("string", "timestamp"), new("uint256", "nonce"), new("string", "message")]);

    /// <summary>The domain for a chain.</summary>
    public static PolymarketEip712Domain Domain(long chainId) => new("ClobAuthDomain", "1", chainId);

    /// <summary>The digest for an address, a timestamp in unix seconds (signed as a decimal string) and a nonce.</summary>
    public static byte[] Digest(long chainId, PolymarketAddress address, long timestampSeconds, BigInteger nonce) =>
        PolymarketEip712.Digest(Domain(chainId), Type, [address, timestampSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), nonce, AttestationMessage]);

    /// <summary>Signs the ClobAuth message with the wallet key.</summary>
    public static PolymarketSignature Sign(PolymarketPrivateKey key, long chainId, long timestampSeconds, BigInteger nonce)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Sign(Digest(chainId, key.Address, timestampSeconds, nonce));
    }
}
