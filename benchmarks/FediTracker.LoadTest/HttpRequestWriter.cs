using System.Buffers.Text;

namespace FediTracker.LoadTest;

/// <summary>Appends to a span; the caller sizes the span for the largest request.</summary>
internal ref struct HttpRequestWriter
{
    private readonly Span<byte> _destination;

    public HttpRequestWriter(Span<byte> destination)
    {
        _destination = destination;
        Length = 0;
    }

    public int Length { get; private set; }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_destination[Length..]);
        Length += bytes.Length;
    }

    public void Append(long value)
    {
        Utf8Formatter.TryFormat(value, _destination[Length..], out var written);
        Length += written;
    }
}
