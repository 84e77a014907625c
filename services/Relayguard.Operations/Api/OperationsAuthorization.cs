namespace Relayguard.Operations.Api;

/// <summary>
/// The authentication scheme and authorization policies of the operations API. Endpoints that other
/// components add under <c>/api/</c> use <see cref="ReadPolicy"/> to read and <see cref="OperatePolicy"/> to change.
/// </summary>
public static class OperationsAuthorization
{
    /// <summary>Bearer operator tokens from <c>Authorization: Bearer TOKEN</c>.</summary>
    public const string Scheme = "OperatorToken";

    /// <summary>Any valid operator token: the <c>read</c> or the <c>operate</c> role.</summary>
    public const string ReadPolicy = "operations-read";

    /// <summary>A token with the <c>operate</c> role.</summary>
    public const string OperatePolicy = "operations-operate";
}
