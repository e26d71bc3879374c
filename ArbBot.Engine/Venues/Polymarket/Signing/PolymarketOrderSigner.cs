namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>A signed order's digest and signature.</summary>
public sealed record PolymarketSignedOrder(byte[] Digest, PolymarketSignature Signature);

/// <summary>Hashes and signs CTF Exchange orders for one chain with one key.</summary>
public sealed class PolymarketOrderSigner(PolymarketPrivateKey key, long chainId)
{
    /// <summary>The signer's address (the order's <c>signer</c> field must equal it).</summary>
    public PolymarketAddress Address => key.Address;

    /// <summary>The EIP-712 digest of a V1 order on the normal or neg-risk exchange.</summary>
    public byte[] Digest(PolymarketOrderV1 order, bool negRisk) =>
        PolymarketEip712.Digest(PolymarketExchange.Domain(chainId, PolymarketExchangeVersion.V1, negRisk).Separator(), order.StructHash());

    /// <summary>The EIP-712 digest of a V2 order on the normal or neg-risk exchange.</summary>
    public byte[] Digest(PolymarketOrderV2 order, bool negRisk) =>
        PolymarketEip712.Digest(PolymarketExchange.Domain(chainId, PolymarketExchangeVersion.V2, negRisk).Separator(), order.StructHash());

    /// <summary>Signs a V1 order; refuses one whose signer is not this key (the exchange would reject it).</summary>
    public PolymarketSignedOrder Sign(PolymarketOrderV1 order, bool negRisk)
    {
        EnsureSigner(order.Signer);
        var digest = Digest(order, negRisk);
        return new PolymarketSignedOrder(digest, key.Sign(digest));
    }

    /// <summary>Signs a V2 order; refuses one whose signer is not this key (the exchange would reject it).</summary>
    public PolymarketSignedOrder Sign(PolymarketOrderV2 order, bool negRisk)
    {
        EnsureSigner(order.Signer);
        var digest = Digest(order, negRisk);
        return new PolymarketSignedOrder(digest, key.Sign(digest));
    }

    private void EnsureSigner(PolymarketAddress signer)
    {
        if (signer != key.Address) throw new ArgumentException($"The order's signer {signer} is not the signing key's address {key.Address}.");
    }
}
