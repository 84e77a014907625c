using System.Net;
using Microsoft.Extensions.Logging;

namespace Relayguard.Gateway.Smtp;

internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "SMTP listener {Listener} is listening on {EndPoint}.")]
    public static partial void ListenerStarted(ILogger logger, string listener, EndPoint endPoint);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "SMTP listener {Listener} is stopping: waiting up to {Timeout} for {Sessions} sessions to finish their transactions.")]
    public static partial void ListenerDraining(ILogger logger, string listener, int sessions, TimeSpan timeout);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "SMTP listener {Listener} is cutting off {Sessions} sessions still open after {Timeout}; their clients get 421 and may send again. Clients: {Clients}")]
    public static partial void ListenerCutSessions(ILogger logger, string listener, int sessions, TimeSpan timeout, string clients);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "Session {SessionId}: the data of message {MessageId} could not be written to the spool folder {SpoolFolder} ({Error}); the client got 452 4.3.1 and may retry. Free space in that folder's file system.")]
    public static partial void SpoolFailed(ILogger logger, string sessionId, string messageId, string spoolFolder, string error);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "SMTP listener {Listener} stopped.")]
    public static partial void ListenerStopped(ILogger logger, string listener);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Session {SessionId} from {ClientIp} timed out.")]
    public static partial void SessionTimedOut(ILogger logger, string sessionId, IPAddress clientIp);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "TLS handshake with {ClientIp} on listener {Listener} failed: {Reason} ({HeldBack} more failures of that address in the minute before were not logged).")]
    public static partial void TlsHandshakeFailed(ILogger logger, IPAddress clientIp, string listener, string reason, int heldBack);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Session {SessionId} from {ClientIp} ended by the network: {Reason}")]
    public static partial void SessionEndedByNetwork(ILogger logger, string sessionId, IPAddress clientIp, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "The session handler failed for session {SessionId}, message {MessageId}; the client was told to try again later.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string sessionId, string messageId);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Error, Message = "The session handler failed on AUTH for session {SessionId}; the client got 454 4.7.0 and may try again.")]
    public static partial void AuthHandlerFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Session {SessionId} failed unexpectedly.")]
    public static partial void SessionFailed(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Accepting a connection on listener {Listener} failed; retrying.")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, string listener);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Listener {Listener} refused a connection: all {Limit} sessions are in use (Limits:Sessions).")]
    public static partial void TooManySessions(ILogger logger, string listener, int limit);
}
