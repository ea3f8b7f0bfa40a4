namespace FediTracker.Protocol.Udp;

/// <summary>
/// The first 16 bytes of every request. For a connect request <see cref="ConnectionId"/> holds the protocol magic
/// (<see cref="UdpProtocol.ProtocolId"/>), which <see cref="UdpRequestParser.TryParseConnect"/> checks.
/// </summary>
public readonly record struct UdpRequestHeader(long ConnectionId, UdpAction Action, int TransactionId);
