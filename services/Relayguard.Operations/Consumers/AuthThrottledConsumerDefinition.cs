namespace Relayguard.Operations.Consumers;

public sealed class AuthThrottledConsumerDefinition() : OperationsConsumerDefinition<AuthThrottledConsumer>("operations-auth-throttled");
