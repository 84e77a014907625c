namespace Relayguard.Cli;

/// <summary>The operations API could not be reached, timed out or failed with a 5xx status; exit code 3.</summary>
public sealed class ApiUnreachableException : Exception
{
    public ApiUnreachableException(string message)
        : base(message)
    {
    }

    public ApiUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
