/* Thin BLE adapters: NimBLE-Arduino (2.x API) on ESP32, ArduinoBLE on nRF52 (Nano 33 BLE,
 * XIAO nRF52840 Sense).  Each gives
 *   bool ble_begin(const char *name, const uint8_t info[SC_PAYLOAD_LEN]);
 *   void ble_poll();                                   // call from loop()
 *   void ble_notify(const uint8_t *payload, size_t n); // data characteristic
 *   void ble_set_info(const uint8_t *payload, size_t n);
 * and hands control writes to sc_command_push() (a small mailbox read by loop(), since
 * NimBLE calls back from its own task).  Not built in CI (no board toolchains). */
#ifndef SC_BLE_LINK_H
#define SC_BLE_LINK_H

#include <Arduino.h>

#include "protocol.h"

/* Mailbox of command payloads: written by the BLE callback, read by loop(). */
#define SC_MAILBOX 4
static volatile uint8_t sc_mb_head = 0, sc_mb_tail = 0;
static uint8_t sc_mb_data[SC_MAILBOX][4];
static uint8_t sc_mb_len[SC_MAILBOX];

static void sc_command_push(const uint8_t *p, size_t n)
{
    uint8_t next = (uint8_t)((sc_mb_head + 1) % SC_MAILBOX);
    if (n == 0 || n > 4 || next == sc_mb_tail) {
        return;  /* invalid, or full: the host repeats commands after a reconnect */
    }
    memcpy(sc_mb_data[sc_mb_head], p, n);
    sc_mb_len[sc_mb_head] = (uint8_t)n;
    sc_mb_head = next;
}

/* Returns 1 and a decoded command when one is waiting. */
static int sc_command_pop(sc_command_t *cmd)
{
    while (sc_mb_tail != sc_mb_head) {
        uint8_t i = sc_mb_tail;
        int ok = sc_decode_command(sc_mb_data[i], sc_mb_len[i], cmd);
        sc_mb_tail = (uint8_t)((i + 1) % SC_MAILBOX);
        if (ok) {
            return 1;
        }
    }
    return 0;
}

#if defined(ARDUINO_ARCH_ESP32)
#include <NimBLEDevice.h>

static NimBLECharacteristic *sc_data_chr = nullptr;
static NimBLECharacteristic *sc_info_chr = nullptr;

class ScServerCallbacks : public NimBLEServerCallbacks {
    void onDisconnect(NimBLEServer *, NimBLEConnInfo &, int) override
    {
        NimBLEDevice::startAdvertising();
    }
};

class ScControlCallbacks : public NimBLECharacteristicCallbacks {
    void onWrite(NimBLECharacteristic *chr, NimBLEConnInfo &) override
    {
        NimBLEAttValue v = chr->getValue();
        sc_command_push(v.data(), v.length());
    }
};

bool ble_begin(const char *name, const uint8_t info[SC_PAYLOAD_LEN])
{
    NimBLEDevice::init(name);
    NimBLEServer *server = NimBLEDevice::createServer();
    server->setCallbacks(new ScServerCallbacks());
    NimBLEService *svc = server->createService(SC_SERVICE_UUID);
    sc_data_chr = svc->createCharacteristic(SC_DATA_UUID, NIMBLE_PROPERTY::NOTIFY);
    NimBLECharacteristic *ctrl = svc->createCharacteristic(
        SC_CONTROL_UUID, NIMBLE_PROPERTY::WRITE | NIMBLE_PROPERTY::WRITE_NR);
    ctrl->setCallbacks(new ScControlCallbacks());
    sc_info_chr = svc->createCharacteristic(SC_INFO_UUID, NIMBLE_PROPERTY::READ);
    sc_info_chr->setValue(info, SC_PAYLOAD_LEN);
    svc->start();
    NimBLEAdvertising *adv = NimBLEDevice::getAdvertising();
    adv->addServiceUUID(SC_SERVICE_UUID);
    adv->setName(name);            /* NimBLE 2.x; it goes to the scan response if needed */
    adv->enableScanResponse(true); /* NimBLE 1.4: adv->setScanResponse(true) */
    return adv->start();
}

void ble_poll() {}

void ble_notify(const uint8_t *p, size_t n)
{
    sc_data_chr->setValue(p, n);
    sc_data_chr->notify();  /* every subscribed client; a no-op without one */
}

void ble_set_info(const uint8_t *p, size_t n) { sc_info_chr->setValue(p, n); }

#else /* nRF52 (mbed core): ArduinoBLE */
#include <ArduinoBLE.h>

static BLEService sc_service(SC_SERVICE_UUID);
static BLECharacteristic sc_data_chr(SC_DATA_UUID, BLENotify, SC_PAYLOAD_LEN);
static BLECharacteristic sc_ctrl_chr(SC_CONTROL_UUID, BLEWrite | BLEWriteWithoutResponse, 4);
static BLECharacteristic sc_info_chr(SC_INFO_UUID, BLERead, SC_PAYLOAD_LEN, true);

bool ble_begin(const char *name, const uint8_t info[SC_PAYLOAD_LEN])
{
    if (!BLE.begin()) {
        return false;
    }
    BLE.setLocalName(name);
    BLE.setDeviceName(name);
    BLE.setAdvertisedService(sc_service);
    sc_service.addCharacteristic(sc_data_chr);
    sc_service.addCharacteristic(sc_ctrl_chr);
    sc_service.addCharacteristic(sc_info_chr);
    BLE.addService(sc_service);
    sc_info_chr.writeValue(info, SC_PAYLOAD_LEN);
    return BLE.advertise() != 0;
}

void ble_poll()
{
    BLE.poll();  /* runs the stack; callbacks happen here, in loop() */
    if (sc_ctrl_chr.written()) {
        sc_command_push(sc_ctrl_chr.value(), (size_t)sc_ctrl_chr.valueLength());
    }
}

void ble_notify(const uint8_t *p, size_t n)
{
    if (sc_data_chr.subscribed()) {
        sc_data_chr.writeValue(p, (int)n);
    }
}

void ble_set_info(const uint8_t *p, size_t n) { sc_info_chr.writeValue(p, (int)n); }
#endif

#endif /* SC_BLE_LINK_H */
