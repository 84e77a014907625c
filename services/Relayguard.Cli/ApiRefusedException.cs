using System.Net;

namespace Relayguard.Cli;

/// <summary>The operations API answered with a 4xx status, such as 404 for a subject without a block; exit code 1.</summary>
public sealed class ApiRefusedException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
