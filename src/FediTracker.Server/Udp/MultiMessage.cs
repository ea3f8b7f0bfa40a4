using System.Runtime.InteropServices;

namespace FediTracker.Server.Udp;

/// <summary>
/// Linux's <c>recvmmsg(2)</c> and <c>sendmmsg(2)</c>: many datagrams in or out with one system call. The structures
/// are the LP64 layouts of <c>struct mmsghdr</c> (a <c>struct msghdr</c>, 56 bytes with its padding, then the byte
/// count) and <c>struct iovec</c>, the same on x86-64 and arm64.
/// </summary>
internal static partial class MultiMessage
{
    /// <summary><c>MSG_WAITFORONE</c>: block for the first datagram only, then take what is queued.</summary>
    public const int WaitForOne = 0x10000;

    /// <summary><c>MSG_TRUNC</c> in a message's flags: the datagram was longer than the buffer.</summary>
    public const int Truncated = 0x20;

    /// <summary>Room for any socket address (<c>sizeof(struct sockaddr_storage)</c>).</summary>
    public const int AddressCapacity = 128;

    // errno values (Linux, all architectures .NET runs on).
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    /// <summary>True where the calls exist: Linux on a 64-bit process.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    public static unsafe partial int Receive(nint socket, MessageHeader* messages, uint count, int flags, nint timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static unsafe partial int Send(nint socket, MessageHeader* messages, uint count, int flags);

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public nint Base;
        public nuint Length;
    }

    /// <summary><c>struct mmsghdr</c>: the fields of a <c>struct msghdr</c>, then the byte count the call fills in.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public struct MessageHeader
    {
        [FieldOffset(0)]
        public nint Name;

        [FieldOffset(8)]
        public uint NameLength;

        [FieldOffset(16)]
        public nint Vectors;

        [FieldOffset(24)]
        public nuint VectorCount;

        [FieldOffset(32)]
        public nint Control;

        [FieldOffset(40)]
        public nuint ControlLength;

        [FieldOffset(48)]
        public int Flags;

        [FieldOffset(56)]
        public uint Length;
    }
}
