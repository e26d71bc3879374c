namespace ArbBot.Engine.Venues.Polymarket.Signing;

/// <summary>A signed order's digest and signature.</summary>
public sealed record PolymarketSignedOrder(byte[] Digest, PolymarketSignature Signature);

/// <summary>
/// A POLY_1271 order's digest (the standard order hash, which is also the venue's order id) and its wrapped signature:
/// the EOA's 65-byte signature followed by the ERC-7739 context the deposit wallet needs to check it.
/// </summary>
public sealed record PolymarketWrappedSignedOrder(byte[] Digest, byte[] Signature)
{
    /// <summary>"0x" and lower-case hex, as the order body carries it.</summary>
    public string SignatureHex => PolymarketHex.Encode(Signature);
}

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

    /// <summary>
    /// Signs a V2 POLY_1271 order for a deposit wallet (maker = signer = the wallet) owned by this key, the way
    /// py-clob-client-v2 does (ERC-7739 "TypedDataSign" nested EIP-712): the key signs
    /// keccak256(0x1901 ‖ exchangeDomainSeparator ‖ hashStruct(TypedDataSign{contents: order, name "DepositWallet",
    /// version "1", chainId, verifyingContract: wallet, salt 0})), and the signature is that 65-byte signature ‖
    /// exchangeDomainSeparator ‖ hashStruct(order) ‖ the Order type string ‖ its length as uint16.
    /// </summary>
    public PolymarketWrappedSignedOrder SignPoly1271(PolymarketOrderV2 order, bool negRisk)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (order.SignatureType != PolymarketSignatureType.Poly1271) throw new ArgumentException("Only POLY_1271 orders are signed for a deposit wallet.", nameof(order));
        if (order.Maker != order.Signer) throw new ArgumentException("A POLY_1271 order's maker and signer are both the deposit wallet.", nameof(order));
        var appDomain = PolymarketExchange.Domain(chainId, PolymarketExchangeVersion.V2, negRisk).Separator();
        var contents = order.StructHash();
        var orderType = PolymarketOrderV2.Type.EncodedType;
        var typeHash = PolymarketKeccak.Hash(
            "TypedDataSign(Order contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)" + orderType);
        // TypedDataSign has a struct member, which the general encoder refuses; its encodeData is written out here.
        var encoded = new byte[32 * 7];
        typeHash.CopyTo(encoded, 0);
        contents.CopyTo(encoded, 32);
        PolymarketKeccak.Hash("DepositWallet").CopyTo(encoded, 64);
        PolymarketKeccak.Hash("1").CopyTo(encoded, 96);
        PolymarketEip712.EncodeUint(chainId).CopyTo(encoded, 128);
        order.Signer.ToBytes().CopyTo(encoded, 160 + 12);
        var inner = key.Sign(PolymarketEip712.Digest(appDomain, PolymarketKeccak.Hash(encoded)));

        var typeBytes = System.Text.Encoding.UTF8.GetBytes(orderType);
        var signature = new byte[65 + 32 + 32 + typeBytes.Length + 2];
        inner.Bytes.CopyTo(signature);
        appDomain.CopyTo(signature, 65);
        contents.CopyTo(signature, 97);
        typeBytes.CopyTo(signature, 129);
        signature[^2] = (byte)(typeBytes.Length >> 8);
        signature[^1] = (byte)typeBytes.Length;
        return new PolymarketWrappedSignedOrder(PolymarketEip712.Digest(appDomain, contents), signature);
    }

    private void EnsureSigner(PolymarketAddress signer)
    {
        if (signer != key.Address) throw new ArgumentException($"The order's signer {signer} is not the signing key's address {key.Address}.");
    }
}
