// Starts AWS DynamoDB Local on a loopback address only.
//
// DynamoDB Local's own entry point (ServerRunner) builds a Jetty Server from a
// bare port number, which binds every network interface. This launcher builds
// the same request handlers but puts them on a Jetty ServerConnector bound to
// one host (127.0.0.1 by default). It also skips the launcher's telemetry.
//
// Compiled at install time against DynamoDBLocal.jar (whose manifest pulls in
// DynamoDBLocal_lib/*.jar). Usage:
//   java -Djava.library.path=<emulator>/DynamoDBLocal_lib -cp <classes>:<emulator>/DynamoDBLocal.jar \
//        LoopbackDynamoDbLocal [-host 127.0.0.1] [-port 0] (-inMemory | -dbPath <dir>) [-sharedDb] [-cors <list>]
// Port 0 lets the OS choose; the bound port is printed on stdout as
//   READY http://<host>:<port>
// and the process then runs until it is killed or its standard input closes.

import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

public final class LoopbackDynamoDbLocal {
    private LoopbackDynamoDbLocal() { }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = 8000;
        boolean inMemory = false;
        String dbPath = null;
        boolean sharedDb = false;
        String cors = null;
        boolean exitOnStdinClose = false;

        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-host": host = args[++i]; break;
                case "-port": port = Integer.parseInt(args[++i]); break;
                case "-inMemory": inMemory = true; break;
                case "-dbPath": dbPath = args[++i]; break;
                case "-sharedDb": sharedDb = true; break;
                case "-cors": cors = args[++i]; break;
                case "-exitOnStdinClose": exitOnStdinClose = true; break;
                default:
                    System.err.println("Unknown argument: " + args[i]);
                    System.exit(2);
            }
        }
        if (inMemory == (dbPath != null)) {
            System.err.println("Give exactly one of -inMemory or -dbPath <dir>.");
            System.exit(2);
        }

        // Same objects ServerRunner.createServer builds; the first argument is unused
        // by DynamoDB Local (ServerRunner passes 0), the last is delayTransientStatuses.
        LocalDynamoDBRequestHandler requests =
            new LocalDynamoDBRequestHandler(0, inMemory, dbPath, sharedDb, false);
        // An empty allow-list turns CORS off; ServerRunner's default would be "*".
        LocalDynamoDBServerHandler handler =
            new LocalDynamoDBServerHandler(requests, cors == null ? "" : cors);

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        ContextHandler context = new ContextHandler();
        context.setHandler(handler);
        ContextHandlerCollection contexts = new ContextHandlerCollection();
        contexts.addHandler(context);
        server.setHandler(contexts);
        server.setStopAtShutdown(true);

        try {
            server.start();
        } catch (Exception e) {
            System.err.println("Could not start DynamoDB Local on " + host + ":" + port + ": " + e);
            server.stop();
            System.exit(1);
        }

        System.out.println("READY http://" + host + ":" + connector.getLocalPort());
        System.out.flush();

        if (exitOnStdinClose) {
            Thread watcher = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) { }
                } catch (Exception ignored) { }
                System.exit(0);
            }, "stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
        server.join();
    }
}
