/**
 * Process-wide n8n-core environment for the workflow harness.
 *
 * n8n-core pulls a few singletons out of its DI container (`@n8n/di`) while it
 * executes a workflow. Left alone, the container would build the real ones,
 * and some of those touch the disk (`InstanceSettings` writes `~/.n8n/config`)
 * or log to the console. Here they are replaced, once per module registry,
 * with small in-memory stand-ins:
 *
 * - `Logger` (and n8n-workflow's `LoggerProxy`): a capturing, silent logger;
 * - `InstanceSettings`: fixed ids/secrets, no settings file;
 * - `BinaryDataConfig` + `BinaryDataService`: the real service, never
 *   `init()`-ed, so it has no storage manager and keeps binary data inline
 *   (base64 in `IBinaryData.data`) - the in-memory mode n8n's own test harness uses;
 * - `ErrorReporter`: the real one (no Sentry), reporting into the captured log.
 *
 * No jest globals here: the demo script imports this from compiled JS.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { BinaryDataConfig, BinaryDataService, ErrorReporter, InstanceSettings } from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';
import type { Logger as WorkflowLogger, LogMetadata } from 'n8n-workflow';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface LogEntry {
	level: LogLevel;
	message: string;
	metadata?: LogMetadata;
	/** Monotonic sequence number (to slice the log per run). */
	seq: number;
}

/** Makes an object that reads of unknown properties fail loudly (own + prototype members pass). */
export function strictObject<T extends object>(target: T, label: string, allowMissing: string[] = []): T {
	const tolerated = new Set([
		'then', // await / Promise.resolve probing
		'toJSON',
		'asymmetricMatch', // jest equality probing
		'$$typeof',
		'nodeType',
		'tagName',
		'@@__IMMUTABLE_ITERABLE__@@',
		'@@__IMMUTABLE_RECORD__@@',
		'_isMockFunction',
		...allowMissing,
	]);
	return new Proxy(target, {
		get(obj, prop, receiver) {
			if (typeof prop === 'symbol' || prop in obj || tolerated.has(prop)) {
				return Reflect.get(obj, prop, receiver);
			}
			throw new Error(
				`[workflow harness] n8n-core read ${label}.${prop}, which the harness does not provide. ` +
					`Add it in harness/ (see ${label}).`,
			);
		},
	});
}

/** @n8n/backend-common Logger.serializeError: what n8n writes for an Error in log metadata. */
function serializeError(error: Error, seen = new Set<unknown>()): object {
	let cause: object | string | undefined;
	if (error.cause && !seen.has(error.cause)) {
		seen.add(error.cause);
		cause = error.cause instanceof Error ? serializeError(error.cause, seen) : String(error.cause);
	}
	return { name: error.name, message: error.message, stack: error.stack, cause };
}

/** JSON.stringify that survives cycles and BigInts (n8n's logger prints metadata as JSON). */
function safeStringify(value: unknown): string {
	const ancestors: object[] = [];
	return JSON.stringify(value, function (this: unknown, _key, current: unknown) {
		if (typeof current === 'bigint') return current.toString();
		if (typeof current !== 'object' || current === null) return current;
		while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
		if (ancestors.includes(current)) return '[Circular]';
		ancestors.push(current);
		return current;
	});
}

/** Silent logger that records everything n8n-core / n8n-workflow / nodes log. */
export class CapturingLogger implements WorkflowLogger {
	readonly entries: LogEntry[] = [];

	private seq = 0;

	/** Set HARNESS_LOG=debug|info|warn|error to also print (for debugging a test). */
	private readonly echoLevel = process.env.HARNESS_LOG as LogLevel | undefined;

	private record(level: LogLevel, message: string, metadata?: LogMetadata) {
		this.entries.push({ level, message, metadata, seq: this.seq++ });
		if (this.entries.length > 10_000) this.entries.splice(0, this.entries.length - 10_000);
		const order: LogLevel[] = ['error', 'warn', 'info', 'debug'];
		if (this.echoLevel && order.indexOf(level) <= order.indexOf(this.echoLevel)) {
			console.log(`[n8n ${level}] ${message}`, metadata ?? '');
		}
	}

	error(message: string, metadata?: LogMetadata) {
		this.record('error', message, metadata);
	}

	warn(message: string, metadata?: LogMetadata) {
		this.record('warn', message, metadata);
	}

	info(message: string, metadata?: LogMetadata) {
		this.record('info', message, metadata);
	}

	debug(message: string, metadata?: LogMetadata) {
		this.record('debug', message, metadata);
	}

	/** `Logger.scoped()` of @n8n/backend-common: same sink. */
	scoped(_scopes: unknown) {
		return this;
	}

	get nextSeq() {
		return this.seq;
	}

	since(seq: number): LogEntry[] {
		return this.entries.filter((e) => e.seq >= seq);
	}

	clear() {
		this.entries.length = 0;
	}

	/**
	 * The entries as n8n's own logger would write them: message plus metadata as
	 * JSON, top-level Error values reduced to name/message/stack/cause
	 * (Logger.log + serializeError in @n8n/backend-common).
	 */
	static text(entries: LogEntry[]): string {
		return entries
			.map((e) => {
				const metadata = Object.entries(e.metadata ?? {}).map(([key, value]) => [
					key,
					value instanceof Error ? serializeError(value) : value,
				]);
				return `${e.level}: ${e.message}${metadata.length ? ' ' + safeStringify(Object.fromEntries(metadata)) : ''}`;
			})
			.join('\n');
	}
}

interface N8nEnvironment {
	logger: CapturingLogger;
	binaryDataService: BinaryDataService;
}

let environment: N8nEnvironment | undefined;

/** Installs the stand-ins into n8n's DI container (idempotent). */
export function ensureN8nEnvironment(): N8nEnvironment {
	if (environment) return environment;

	const logger = new CapturingLogger();
	Container.set(Logger, logger as unknown as Logger);
	LoggerProxy.init(logger);

	const encryptionKey = 'n8n-nodes-deerapi-relay-workflow-harness';
	const instanceSettings = Object.assign(Object.create(InstanceSettings.prototype) as object, {
		n8nFolder: path.join(tmpdir(), 'n8n-workflow-harness'),
		staticCacheDir: path.join(tmpdir(), 'n8n-workflow-harness', 'cache'),
		customExtensionDir: path.join(tmpdir(), 'n8n-workflow-harness', 'custom'),
		nodesDownloadDir: path.join(tmpdir(), 'n8n-workflow-harness', 'nodes'),
		settings: { encryptionKey },
		instanceId: createHash('sha256').update(encryptionKey).digest('hex'),
		hmacSignatureSecret: createHash('sha256').update(`hmac-signature:${encryptionKey}`).digest('hex'),
		instanceType: 'main',
		instanceRole: 'unset',
		hostId: 'main-workflow-harness',
		isMultiMainEnabled: false,
		isMultiMainLicensed: false,
	}) as unknown as InstanceSettings;
	Container.set(InstanceSettings, instanceSettings);

	// 'default' is n8n's in-memory binary mode; `convertBinaryData` skips work for it.
	const binaryDataConfig = Object.assign(Object.create(BinaryDataConfig.prototype) as object, {
		mode: 'default',
		availableModes: ['default'],
		localStoragePath: '',
		signingSecret: createHash('sha256').update(`url-signing:${encryptionKey}`).digest('base64'),
		dbMaxFileSize: 512,
	}) as unknown as BinaryDataConfig;
	Container.set(BinaryDataConfig, binaryDataConfig);

	// The real ErrorReporter without Sentry: its default report logs the error (level error).
	const tracing = strictObject({}, 'ErrorReporter.tracing');
	const errorReporter = new ErrorReporter(
		logger as unknown as Logger,
		tracing as ConstructorParameters<typeof ErrorReporter>[1],
	);
	Container.set(ErrorReporter, errorReporter);

	// No init(): without a storage manager the service keeps data inline (base64).
	const binaryDataService = new BinaryDataService(binaryDataConfig, errorReporter, logger as unknown as Logger);
	Container.set(BinaryDataService, binaryDataService);

	// Every trigger node's context asks for n8n-core's SSHClientsManager, which starts a cleanup
	// interval; 1.x leaves it ref'd (2.x unrefs it), so a test process would never exit. The class
	// is not exported from n8n-core's index: taken from its module file.
	const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager') as {
		SSHClientsManager: new (...args: any[]) => { cleanupTimer?: NodeJS.Timeout };
	};
	Container.get(SSHClientsManager).cleanupTimer?.unref();

	environment = { logger, binaryDataService };
	return environment;
}
