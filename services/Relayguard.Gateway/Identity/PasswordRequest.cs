using System.Net;

namespace Relayguard.Gateway.Identity;

/// <summary>One login attempt: the credentials and the connection they came on, which Dovecot's auth policy may use.</summary>
public sealed record PasswordRequest(string UserName, string Password, IPAddress ClientIp, IPAddress LocalIp, bool Secured)
{
    // The password must never reach a log through the record's generated ToString.
    public override string ToString() => $"PasswordRequest {{ UserName = {UserName}, ClientIp = {ClientIp}, Secured = {Secured} }}";
}
