namespace FediTracker.Federation.Fetching;

/// <summary>
/// A successful response whose body is read as it arrives (<see cref="SafeFetcher.GetStreamAsync"/>), within a size
/// bound and a deadline. Disposing it closes the connection and stops the deadline.
/// </summary>
public sealed class StreamedFetch : IDisposable, IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _deadline;
    private readonly BoundedStream _content;

    internal StreamedFetch(
        Uri uri,
        int statusCode,
        string? mediaType,
        long? contentLength,
        HttpResponseMessage response,
        Stream body,
        CancellationTokenSource deadline,
        long maxBytes,
        TimeSpan timeout,
        Func<FetchFailure, string, int?, Exception?, FetchException> refuse)
    {
        Uri = uri;
        StatusCode = statusCode;
        MediaType = mediaType;
        ContentLength = contentLength;
        _response = response;
        _deadline = deadline;
        _content = new BoundedStream(body, uri, maxBytes, timeout, refuse, deadline.Token);
    }

    /// <summary>The URL that answered, after any redirects.</summary>
    public Uri Uri { get; }

    public int StatusCode { get; }

    /// <summary>The media type of Content-Type without parameters, lower-cased; null when absent.</summary>
    public string? MediaType { get; }

    /// <summary>The length the response declared (Content-Length), at most the bound; null when it did not say.</summary>
    public long? ContentLength { get; }

    /// <summary>The body: read-only, forward-only, refusing past the bound and the deadline with <see cref="FetchException"/>.</summary>
    public Stream Content => _content;

    /// <summary>Bytes of the body read so far.</summary>
    public long BytesRead => _content.BytesRead;

    public void Dispose()
    {
        _content.Dispose();
        _response.Dispose();
        _deadline.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _content.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
        _deadline.Dispose();
    }

    /// <summary>Counts what is read, refuses past the bound, and turns deadline and connection failures into <see cref="FetchException"/>.</summary>
    private sealed class BoundedStream(
        Stream inner,
        Uri uri,
        long maxBytes,
        TimeSpan timeout,
        Func<FetchFailure, string, int?, Exception?, FetchException> refuse,
        CancellationToken deadline) : Stream
    {
        private long _read;

        public long BytesRead => Volatile.Read(ref _read);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline) : null;
            int n;
            try
            {
                n = await inner.ReadAsync(buffer, linked?.Token ?? deadline).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw refuse(FetchFailure.Timeout, $"Fetching {uri} took longer than {timeout.TotalSeconds} s", null, e);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw refuse(FetchFailure.ConnectFailed, $"The connection to {uri.Host} broke after {_read} bytes: {e.Message}", null, e);
            }

            _read += n;
            if (_read > maxBytes)
            {
                throw refuse(FetchFailure.TooLarge, $"{uri} sent more than {maxBytes} bytes", null, null);
            }

            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
