namespace FediTracker.Protocol;

/// <summary>The 20-byte peer id a client chooses for itself (BEP 3, BEP 20).</summary>
public readonly record struct PeerId(Bytes20 Value)
{
    public static PeerId Read(ReadOnlySpan<byte> source) => new(Bytes20.Read(source));

    public void CopyTo(Span<byte> destination) => Value.CopyTo(destination);

    public override string ToString() => Value.ToHex();
}
