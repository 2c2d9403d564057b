// Electron IPC channel names. Dependency-free: the sandboxed preload bundles this file.
export const IPC_CALL_CHANNEL = 'etude:call';
export const IPC_EVENT_CHANNEL = 'etude:event';
export const IPC_OPEN_DIALOG_CHANNEL = 'etude:open-dialog';
export const IPC_PREPARE_DRAG_CHANNEL = 'etude:prepare-drag';
export const IPC_START_DRAG_CHANNEL = 'etude:start-drag';
export const IPC_CHOOSE_FOLDER_CHANNEL = 'etude:choose-folder';
